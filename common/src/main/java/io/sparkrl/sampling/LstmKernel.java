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
  /** Rows processed together, so a weight row is loaded once per block. */
  private static final int BLOCK = 4;

  final int vocabularySize;
  final int embeddingSize;
  final int hiddenSize;
  final int layers;
  private final float[] embedding;
  private final float[][] inputWeights;
  private final float[][] recurrentWeights;
  private final float[][] biases;
  private final float[] outputWeights;
  private final float[] outputBias;

  private LstmKernel(MultiLayerNetwork net) {
    layers = PolicyFactory.lstmLayers(net);
    float[][] emb = matrix(net.getLayer(0).getParam("W"));
    vocabularySize = emb.length;
    embeddingSize = emb[0].length;
    embedding = flatten(emb);
    inputWeights = new float[layers][];
    recurrentWeights = new float[layers][];
    biases = new float[layers][];
    for (int l = 0; l < layers; l++) {
      var layer = net.getLayer(1 + l);
      inputWeights[l] = flatten(matrix(layer.getParam("W")));
      recurrentWeights[l] = flatten(matrix(layer.getParam("RW")));
      biases[l] = layer.getParam("b").castTo(DataType.FLOAT).toFloatVector();
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
    final float[][] x = new float[BLOCK][Math.max(embeddingSize, hiddenSize)];
    final float[][] gates = new float[BLOCK][4 * hiddenSize];
  }

  Scratch newScratch() {
    return new Scratch();
  }

  /**
   * Feeds {@code tokens[i]} to row {@code rows[i]} for i < n, advancing its state, and writes the
   * next-token logits of that row to {@code logits[i*V, (i+1)*V)}.
   */
  void step(int n, int[] rows, int[] tokens, State state, Scratch scratch, float[] logits) {
    for (int start = 0; start < n; start += BLOCK) {
      int nb = Math.min(BLOCK, n - start);
      float[][] x = scratch.x;
      for (int b = 0; b < nb; b++) {
        System.arraycopy(embedding, tokens[start + b] * embeddingSize, x[b], 0, embeddingSize);
      }
      int inSize = embeddingSize;
      for (int l = 0; l < layers; l++) {
        float[][] g = scratch.gates;
        for (int b = 0; b < nb; b++) {
          System.arraycopy(biases[l], 0, g[b], 0, 4 * hiddenSize);
        }
        accumulate(x, nb, inputWeights[l], inSize, g);
        accumulateRows(state.h[l], rows, start, nb, recurrentWeights[l], g);
        for (int b = 0; b < nb; b++) {
          cell(g[b], state.h[l], state.c[l], rows[start + b] * hiddenSize, x[b]);
        }
        inSize = hiddenSize;
      }
      for (int b = 0; b < nb; b++) {
        System.arraycopy(outputBias, 0, logits, (start + b) * vocabularySize, vocabularySize);
      }
      for (int b = 0; b < nb; b++) {
        axpyRow(x[b], hiddenSize, outputWeights, vocabularySize, logits, (start + b) * vocabularySize);
      }
    }
  }

  /** LSTM cell for one row: gates (4H) -> new c and h (written to state and to {@code hOut}). */
  private void cell(float[] g, float[] h, float[] c, int offset, float[] hOut) {
    int hs = hiddenSize;
    for (int j = 0; j < hs; j++) {
      float z = (float) Math.tanh(g[j]);
      float f = sigmoid(g[hs + j]);
      float o = sigmoid(g[2 * hs + j]);
      float i = sigmoid(g[3 * hs + j]);
      float cell = f * c[offset + j] + i * z;
      c[offset + j] = cell;
      float hv = o * (float) Math.tanh(cell);
      h[offset + j] = hv;
      hOut[j] = hv;
    }
  }

  private static float sigmoid(float v) {
    return (float) (1.0 / (1.0 + Math.exp(-v)));
  }

  /** out[b] += x[b][0..k) . w (k, N), for b < nb; N = out[b].length. */
  private static void accumulate(float[][] x, int nb, float[] w, int k, float[][] out) {
    int n = out[0].length;
    if (nb == BLOCK) {
      float[] o0 = out[0], o1 = out[1], o2 = out[2], o3 = out[3];
      for (int kk = 0; kk < k; kk++) {
        float a0 = x[0][kk], a1 = x[1][kk], a2 = x[2][kk], a3 = x[3][kk];
        int off = kk * n;
        for (int j = 0; j < n; j++) {
          float wv = w[off + j];
          o0[j] += a0 * wv;
          o1[j] += a1 * wv;
          o2[j] += a2 * wv;
          o3[j] += a3 * wv;
        }
      }
    } else {
      for (int b = 0; b < nb; b++) {
        axpyRow(x[b], k, w, n, out[b], 0);
      }
    }
  }

  /** Like {@link #accumulate} with x taken from the state rows (previous h). */
  private void accumulateRows(float[] h, int[] rows, int start, int nb, float[] w, float[][] out) {
    int hs = hiddenSize;
    int n = out[0].length;
    if (nb == BLOCK) {
      int r0 = rows[start] * hs, r1 = rows[start + 1] * hs, r2 = rows[start + 2] * hs,
          r3 = rows[start + 3] * hs;
      float[] o0 = out[0], o1 = out[1], o2 = out[2], o3 = out[3];
      for (int kk = 0; kk < hs; kk++) {
        float a0 = h[r0 + kk], a1 = h[r1 + kk], a2 = h[r2 + kk], a3 = h[r3 + kk];
        int off = kk * n;
        for (int j = 0; j < n; j++) {
          float wv = w[off + j];
          o0[j] += a0 * wv;
          o1[j] += a1 * wv;
          o2[j] += a2 * wv;
          o3[j] += a3 * wv;
        }
      }
    } else {
      for (int b = 0; b < nb; b++) {
        int r = rows[start + b] * hs;
        float[] o = out[b];
        for (int kk = 0; kk < hs; kk++) {
          float a = h[r + kk];
          int off = kk * n;
          for (int j = 0; j < n; j++) {
            o[j] += a * w[off + j];
          }
        }
      }
    }
  }

  /** out[outOff..outOff+n) += x[0..k) . w (k, n). */
  private static void axpyRow(float[] x, int k, float[] w, int n, float[] out, int outOff) {
    for (int kk = 0; kk < k; kk++) {
      float a = x[kk];
      int off = kk * n;
      for (int j = 0; j < n; j++) {
        out[outOff + j] += a * w[off + j];
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
