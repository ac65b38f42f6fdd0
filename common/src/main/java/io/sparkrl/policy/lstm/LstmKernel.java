package io.sparkrl.policy.lstm;

import io.sparkrl.sampling.TokenStepper;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One-token-at-a-time inference of the policy network over a batch of rows, in plain Java over a
 * copy of the network's parameters.
 *
 * <p>Why not {@code rnnTimeStep}: sampling is a loop of tiny matrix products, where DL4J's
 * per-op overhead dominates (README, Performance: ~2,900 tokens/s against ~19,000 for a tuned loop). And
 * here each row's arithmetic is the same whatever other rows are in the batch, which is what makes
 * a completion independent of its batch-mates, bit for bit. The sampler's recorded log-probs are
 * tested against DL4J's own forward pass, which pins the parameter layout below.
 *
 * <p>Why not sgemm over the live rows: OpenBLAS 0.3.19's sgemm sums a row's elements in an order
 * that depends on the row count and on the row's place among them (measured here on the Zen
 * kernels: a row alone, with 3 others or with 50 others gives different bits, even with the row
 * count padded to a multiple of 4..48), which would make a completion depend on its batch-mates.
 * Column-blocked and 4-row register-blocked Java variants of {@link #accumulate} (each row's
 * arithmetic fixed) were measured no faster than this loop on a 2-core shared machine.
 *
 * <p>Layout, as DL4J stores it: embedding W (V, E); LSTM W (in, 4H), RW (H, 4H), b (4H) with gate
 * blocks [block input z | forget f | output o | input i]; output W (H, V), b (V). All row-major.
 */
public final class LstmKernel implements TokenStepper {
  /** Weight rows (k) folded into one update of an output element. */
  private static final int KS = 4;

  final int vocabularySize;
  final int embeddingSize;
  final int hiddenSize;
  final int layers;
  private final float[] embedding;
  /**
   * Per layer, the input and recurrent weights stacked, one array per weight row: rows [0, in) are
   * W, rows [in, in + H) RW, so one pass over {@code [x | h_prev]} computes all gate
   * pre-activations. Row arrays (rather than one flat array with row offsets) let C2 vectorise the
   * update loops: it only proves loads and stores independent when they share an index expression.
   */
  private final float[][][] weights;
  private final int[] inputSizes;
  private final float[][] biases;
  private final float[][] outputWeights;
  private final float[] outputBias;

  private LstmKernel(MultiLayerNetwork net) {
    layers = LstmFactory.lstmLayers(net);
    float[][] emb = matrix(net.getLayer(0).getParam("W"));
    vocabularySize = emb.length;
    embeddingSize = emb[0].length;
    embedding = flatten(emb);
    weights = new float[layers][][];
    inputSizes = new int[layers];
    biases = new float[layers][];
    for (int l = 0; l < layers; l++) {
      var layer = net.getLayer(1 + l);
      float[][] w = matrix(layer.getParam("W"));
      float[][] rw = matrix(layer.getParam("RW"));
      float[][] stacked = new float[w.length + rw.length][];
      System.arraycopy(w, 0, stacked, 0, w.length);
      System.arraycopy(rw, 0, stacked, w.length, rw.length);
      weights[l] = stacked;
      biases[l] = floats(layer.getParam("b"));
      inputSizes[l] = w.length;
    }
    hiddenSize = biases[0].length / 4;
    var out = net.getLayer(layers + 1);
    outputWeights = matrix(out.getParam("W"));
    outputBias = floats(out.getParam("b"));
  }

  /** A kernel holding a copy of the network's current parameters. */
  public static LstmKernel of(MultiLayerNetwork net) {
    return new LstmKernel(net);
  }

  @Override
  public int vocabularySize() {
    return vocabularySize;
  }

  @Override
  public TokenStepper.Rows start(int capacity) {
    return new KernelRows(new State(capacity));
  }

  /** A batch of rows for the {@link Sampler}: their state and this thread's scratch. */
  private final class KernelRows implements TokenStepper.Rows {
    private final State state;
    private final Scratch scratch = new Scratch();

    KernelRows(State state) {
      this.state = state;
    }

    @Override
    public void step(int n, int[] rows, int[] tokens, float[] logits) {
      LstmKernel.this.step(n, rows, tokens, state, scratch, logits);
    }

    @Override
    public TokenStepper.Rows expand(int[] sources) {
      State target = new State(sources.length);
      for (int r = 0; r < sources.length; r++) {
        state.copyRow(sources[r], target, r);
      }
      return new KernelRows(target);
    }
  }

  /** Recurrent state (h and c of every layer) for up to {@code capacity} rows. */
  private final class State {
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

  /** Scratch space for {@link #step}: one row. */
  private final class Scratch {
    /** [layer input | previous h]. */
    final float[] xh = new float[Math.max(embeddingSize, hiddenSize) + hiddenSize];
    final float[] gates = new float[4 * hiddenSize];
    final float[] logits = new float[vocabularySize];
  }

  /**
   * Feeds {@code tokens[i]} to row {@code rows[i]} for i < n, advancing its state, and writes the
   * next-token logits of that row to {@code logits[i*V, (i+1)*V)}.
   *
   * <p>Rows are computed one after the other by the same code, so a row's results do not depend
   * on its batch-mates. (The weights, ~0.9 MB for the default policy, stay in L2 between rows.)
   */
  private void step(int n, int[] rows, int[] tokens, State state, Scratch scratch, float[] logits) {
    int hs = hiddenSize;
    int v = vocabularySize;
    float[] xh = scratch.xh;
    float[] g = scratch.gates;
    float[] out = scratch.logits;
    for (int i = 0; i < n; i++) {
      int offset = rows[i] * hs;
      System.arraycopy(embedding, tokens[i] * embeddingSize, xh, 0, embeddingSize);
      for (int l = 0; l < layers; l++) {
        int in = inputSizes[l];
        System.arraycopy(state.h[l], offset, xh, in, hs);
        System.arraycopy(biases[l], 0, g, 0, 4 * hs);
        accumulate(xh, weights[l], in + hs, 4 * hs, g);
        cell(g, state.h[l], state.c[l], offset, xh);
      }
      System.arraycopy(outputBias, 0, out, 0, v);
      accumulate(xh, outputWeights, hs, v, out);
      System.arraycopy(out, 0, logits, i * v, v);
    }
  }

  /**
   * LSTM cell for one row: gates (4H, overwritten) -> new c and h (written to state and to
   * {@code hOut}). Split into simple single-array loops so that C2 vectorises them.
   */
  private void cell(float[] g, float[] h, float[] c, int offset, float[] hOut) {
    int hs = hiddenSize;
    for (int j = 0; j < hs; j++) {
      g[j] = tanh(g[j]); // block input z
    }
    for (int j = hs; j < 4 * hs; j++) {
      g[j] = sigmoid(g[j]); // forget, output, input gates
    }
    for (int j = 0; j < hs; j++) {
      float cell = g[hs + j] * c[offset + j] + g[3 * hs + j] * g[j];
      c[offset + j] = cell;
      g[j] = cell;
    }
    for (int j = 0; j < hs; j++) {
      g[j] = g[2 * hs + j] * tanh(g[j]);
    }
    System.arraycopy(g, 0, h, offset, hs);
    System.arraycopy(g, 0, hOut, 0, hs);
  }

  private static float sigmoid(float v) {
    return 0.5f + 0.5f * tanh(0.5f * v);
  }

  private static final float TANH_CLAMP = 7.90531110763549805f;

  /**
   * tanh as a clamped rational function in float arithmetic only (the approximation Eigen uses;
   * Math.tanh is a native call on Java 17 and Math.exp does not vectorise): absolute error below
   * 4e-7 over all floats, 2.5e-7 for the sigmoid built on it. Plain multiplies and adds, so the
   * vectorised and scalar iterations of a loop give the same bits.
   */
  public static float tanh(float v) {
    float x = Math.max(-TANH_CLAMP, Math.min(TANH_CLAMP, v));
    float x2 = x * x;
    float p = -2.76076847742355e-16f;
    p = p * x2 + 2.00018790482477e-13f;
    p = p * x2 + -8.60467152213735e-11f;
    p = p * x2 + 5.12229709037114e-08f;
    p = p * x2 + 1.48572235717979e-05f;
    p = p * x2 + 6.37261928875436e-04f;
    p = p * x2 + 4.89352455891786e-03f;
    p = p * x;
    float q = 1.19825839466702e-06f;
    q = q * x2 + 1.18534705686654e-04f;
    q = q * x2 + 2.26843463243900e-03f;
    q = q * x2 + 4.89352518554385e-03f;
    return p / q;
  }

  /**
   * out[0..n) += x[0..k) . w (k rows of n).
   *
   * <p>k is consumed {@link #KS} weight rows at a time, each output element updated as
   * {@code o += (a0 w0 + a1 w1) + (a2 w2 + a3 w3)} (fewer loads and stores of {@code out}), then
   * one row at a time for the remainder. Every index is plain {@code j}, which C2 vectorises.
   */
  private static void accumulate(float[] x, float[][] w, int k, int n, float[] out) {
    int k4 = k - k % KS;
    for (int kk = 0; kk < k4; kk += KS) {
      float a0 = x[kk], a1 = x[kk + 1], a2 = x[kk + 2], a3 = x[kk + 3];
      float[] w0 = w[kk], w1 = w[kk + 1], w2 = w[kk + 2], w3 = w[kk + 3];
      for (int j = 0; j < n; j++) {
        out[j] += (a0 * w0[j] + a1 * w1[j]) + (a2 * w2[j] + a3 * w3[j]);
      }
    }
    for (int kk = k4; kk < k; kk++) {
      float a = x[kk];
      float[] w0 = w[kk];
      for (int j = 0; j < n; j++) {
        out[j] += a * w0[j];
      }
    }
  }

  /**
   * A parameter matrix as rows. One bulk copy: element-wise reads of DL4J's 'f'-ordered parameter
   * views ({@code toFloatMatrix}) cost more than a whole sampling pass.
   */
  private static float[][] matrix(INDArray a) {
    int rows = (int) a.size(0);
    int cols = (int) a.size(1);
    float[] flat = floats(a);
    float[][] m = new float[rows][cols];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(flat, r * cols, m[r], 0, cols);
    }
    return m;
  }

  /** The elements of {@code a} in row-major order, as floats. */
  private static float[] floats(INDArray a) {
    int n = (int) a.length();
    float[] f = a.castTo(DataType.FLOAT).dup('c').data().asFloat();
    return f.length == n ? f : java.util.Arrays.copyOf(f, n);
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
