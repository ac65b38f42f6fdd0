package io.sparkrl.sampling;

import io.sparkrl.policy.PolicyFactory;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One-token-at-a-time inference of the policy network over a batch of rows, in plain Java over a
 * copy of the network's parameters.
 *
 * <p>Why not {@code rnnTimeStep}: sampling is a loop of tiny matrix products, where DL4J's
 * per-op overhead dominates (DESIGN.md: ~2,900 tokens/s against ~19,000 for a tuned loop). And
 * here each row's arithmetic is the same whatever other rows are in the batch, which is what makes
 * a completion independent of its batch-mates, bit for bit. The sampler's recorded log-probs are
 * tested against DL4J's own forward pass, which pins the parameter layout below.
 *
 * <p>Layout, as DL4J stores it: embedding W (V, E); LSTM W (in, 4H), RW (H, 4H), b (4H) with gate
 * blocks [block input z | forget f | output o | input i]; output W (H, V), b (V). All row-major.
 */
public final class LstmKernel {
  /** Rows sharing one pass over a weight block. */
  private static final int ROWS = 2;
  /** Weight rows (k) folded into one update of an output element. */
  private static final int KS = 4;

  final int vocabularySize;
  final int embeddingSize;
  final int hiddenSize;
  final int layers;
  private final float[] embedding;
  /**
   * Per layer, the input and recurrent weights stacked: rows [0, in) are W, rows [in, in + H) RW,
   * so one pass over {@code [x | h_prev]} computes all gate pre-activations.
   */
  private final float[][] weights;
  private final int[] inputSizes;
  private final float[][] biases;
  private final float[] outputWeights;
  private final float[] outputBias;

  private LstmKernel(MultiLayerNetwork net) {
    layers = PolicyFactory.lstmLayers(net);
    float[][] emb = matrix(net.getLayer(0).getParam("W"));
    vocabularySize = emb.length;
    embeddingSize = emb[0].length;
    embedding = flatten(emb);
    weights = new float[layers][];
    inputSizes = new int[layers];
    biases = new float[layers][];
    for (int l = 0; l < layers; l++) {
      var layer = net.getLayer(1 + l);
      float[] w = flatten(matrix(layer.getParam("W")));
      float[] rw = flatten(matrix(layer.getParam("RW")));
      float[] stacked = new float[w.length + rw.length];
      System.arraycopy(w, 0, stacked, 0, w.length);
      System.arraycopy(rw, 0, stacked, w.length, rw.length);
      weights[l] = stacked;
      biases[l] = layer.getParam("b").castTo(DataType.FLOAT).toFloatVector();
      inputSizes[l] = w.length / biases[l].length;
    }
    hiddenSize = biases[0].length / 4;
    var out = net.getLayer(layers + 1);
    outputWeights = flatten(matrix(out.getParam("W")));
    outputBias = out.getParam("b").castTo(DataType.FLOAT).toFloatVector();
  }

  /** A kernel holding a copy of the network's current parameters. */
  public static LstmKernel of(MultiLayerNetwork net) {
    return new LstmKernel(net);
  }

  /** Recurrent state (h and c of every layer) for up to {@code capacity} rows. */
  final class State {
    final float[][] h;
    final float[][] c;

    State(int capacity) {
      h = new float[layers][capacity * hiddenSize];
      c = new float[layers][capacity * hiddenSize];
    }

    void copyRow(int from, State target, int to) {
      for (int l = 0; l < layers; l++) {
        System.arraycopy(h[l], from * hiddenSize, target.h[l], to * hiddenSize, hiddenSize);
        System.arraycopy(c[l], from * hiddenSize, target.c[l], to * hiddenSize, hiddenSize);
      }
    }
  }

  State newState(int capacity) {
    return new State(capacity);
  }

  /** Scratch space for {@link #step}: one block of rows. */
  final class Scratch {
    /** Per row: [layer input | previous h]. */
    final float[][] xh = new float[ROWS][Math.max(embeddingSize, hiddenSize) + hiddenSize];
    final float[][] gates = new float[ROWS][Math.max(4 * hiddenSize, vocabularySize)];
  }

  Scratch newScratch() {
    return new Scratch();
  }

  /**
   * Feeds {@code tokens[i]} to row {@code rows[i]} for i < n, advancing its state, and writes the
   * next-token logits of that row to {@code logits[i*V, (i+1)*V)}.
   *
   * <p>Every output element is computed by the same sequence of float operations whether its row
   * is in a block of {@link #ROWS} or alone (see {@link #accumulate}), so a row's results do not
   * depend on its batch-mates.
   */
  void step(int n, int[] rows, int[] tokens, State state, Scratch scratch, float[] logits) {
    int hs = hiddenSize;
    float[][] xh = scratch.xh;
    float[][] g = scratch.gates;
    for (int start = 0; start < n; start += ROWS) {
      int nb = Math.min(ROWS, n - start);
      for (int b = 0; b < nb; b++) {
        System.arraycopy(embedding, tokens[start + b] * embeddingSize, xh[b], 0, embeddingSize);
      }
      for (int l = 0; l < layers; l++) {
        int in = inputSizes[l];
        float[] h = state.h[l];
        for (int b = 0; b < nb; b++) {
          System.arraycopy(h, rows[start + b] * hs, xh[b], in, hs);
          System.arraycopy(biases[l], 0, g[b], 0, 4 * hs);
        }
        accumulate(xh, nb, weights[l], in + hs, 4 * hs, g, 0);
        for (int b = 0; b < nb; b++) {
          cell(g[b], h, state.c[l], rows[start + b] * hs, xh[b]);
        }
      }
      for (int b = 0; b < nb; b++) {
        System.arraycopy(outputBias, 0, g[b], 0, vocabularySize);
      }
      accumulate(xh, nb, outputWeights, hs, vocabularySize, g, 0);
      for (int b = 0; b < nb; b++) {
        System.arraycopy(g[b], 0, logits, (start + b) * vocabularySize, vocabularySize);
      }
    }
  }

  /** LSTM cell for one row: gates (4H) -> new c and h (written to state and to {@code hOut}). */
  private void cell(float[] g, float[] h, float[] c, int offset, float[] hOut) {
    int hs = hiddenSize;
    for (int j = 0; j < hs; j++) {
      float z = tanh(g[j]);
      float f = sigmoid(g[hs + j]);
      float o = sigmoid(g[2 * hs + j]);
      float i = sigmoid(g[3 * hs + j]);
      float cell = f * c[offset + j] + i * z;
      c[offset + j] = cell;
      float hv = o * tanh(cell);
      h[offset + j] = hv;
      hOut[j] = hv;
    }
  }

  private static float sigmoid(float v) {
    return (float) (1.0 / (1.0 + Math.exp(-v)));
  }

  /**
   * tanh through the intrinsic {@link Math#exp} (Math.tanh is a native call on Java 17), in double:
   * absolute error ~1e-16, far below float resolution.
   */
  private static float tanh(float v) {
    return (float) (1.0 - 2.0 / (Math.exp(2.0 * v) + 1.0));
  }

  /**
   * out[b][outOff + j] += x[b][0..k) . w(k, n)[., j] for b < nb, j < n.
   *
   * <p>k is consumed {@link #KS} weight rows at a time, each output element updated as
   * {@code o += (a0 w0 + a1 w1) + (a2 w2 + a3 w3)}, then one row at a time for the remainder; the
   * two-row and one-row paths evaluate exactly that expression per element, so a row gets the same
   * bits in either. (Java evaluates float expressions strictly, and C2's vectorisation does not
   * reassociate or fuse them.)
   */
  private static void accumulate(float[][] x, int nb, float[] w, int k, int n, float[][] out,
      int outOff) {
    int k4 = k - k % KS;
    int b = 0;
    for (; b + 1 < nb; b += 2) {
      float[] xa = x[b];
      float[] xb = x[b + 1];
      float[] oa = out[b];
      float[] ob = out[b + 1];
      for (int kk = 0; kk < k4; kk += KS) {
        float a0 = xa[kk], a1 = xa[kk + 1], a2 = xa[kk + 2], a3 = xa[kk + 3];
        float c0 = xb[kk], c1 = xb[kk + 1], c2 = xb[kk + 2], c3 = xb[kk + 3];
        int f0 = kk * n;
        int f1 = f0 + n;
        int f2 = f1 + n;
        int f3 = f2 + n;
        for (int j = 0; j < n; j++) {
          float w0 = w[f0 + j], w1 = w[f1 + j], w2 = w[f2 + j], w3 = w[f3 + j];
          oa[outOff + j] += (a0 * w0 + a1 * w1) + (a2 * w2 + a3 * w3);
          ob[outOff + j] += (c0 * w0 + c1 * w1) + (c2 * w2 + c3 * w3);
        }
      }
      for (int kk = k4; kk < k; kk++) {
        float a = xa[kk];
        float c = xb[kk];
        int f = kk * n;
        for (int j = 0; j < n; j++) {
          float wv = w[f + j];
          oa[outOff + j] += a * wv;
          ob[outOff + j] += c * wv;
        }
      }
    }
    for (; b < nb; b++) {
      float[] xa = x[b];
      float[] oa = out[b];
      for (int kk = 0; kk < k4; kk += KS) {
        float a0 = xa[kk], a1 = xa[kk + 1], a2 = xa[kk + 2], a3 = xa[kk + 3];
        int f0 = kk * n;
        int f1 = f0 + n;
        int f2 = f1 + n;
        int f3 = f2 + n;
        for (int j = 0; j < n; j++) {
          oa[outOff + j] += (a0 * w[f0 + j] + a1 * w[f1 + j]) + (a2 * w[f2 + j] + a3 * w[f3 + j]);
        }
      }
      for (int kk = k4; kk < k; kk++) {
        float a = xa[kk];
        int f = kk * n;
        for (int j = 0; j < n; j++) {
          oa[outOff + j] += a * w[f + j];
        }
      }
    }
  }

  private static float[][] matrix(INDArray a) {
    return a.castTo(DataType.FLOAT).toFloatMatrix();
  }

  private static float[] flatten(float[][] m) {
    int cols = m[0].length;
    float[] flat = new float[m.length * cols];
    for (int r = 0; r < m.length; r++) {
      System.arraycopy(m[r], 0, flat, r * cols, cols);
    }
    return flat;
  }
}
