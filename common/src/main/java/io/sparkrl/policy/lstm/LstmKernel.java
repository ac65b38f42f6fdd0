package io.sparkrl.policy.lstm;

import io.sparkrl.sampling.TokenStepper;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One-token-at-a-time inference of the policy network over a batch of rows, in plain Java over a
 * copy of the network's parameters.
 *
 * <p>Why not {@code rnnTimeStep}: sampling is a loop of tiny matrix products, where DL4J's
 * per-op overhead dominates (README, Performance: ~2,900 tokens/s against ~19,000 for a tuned loop). The
 * sampler's recorded log-probs are tested against DL4J's own forward pass, which pins the
 * parameter layout below.
 *
 * <p>Batched, yet each row's floats independent of its batch-mates: every gate pre-activation and
 * logit is one fixed sequence of float updates per element, {@code o += (a0 w0 + a1 w1) + (a2 w2 +
 * a3 w3)} for weight rows k in groups of four ascending from the bias, then {@code o += a w} for
 * the last k % 4 rows (Java never reorders float arithmetic). {@link #product} runs it over the
 * live rows together, blocked for the caches: for {@link #ROW_BLOCK} rows at a time, each group of
 * four weight rows (a {@link #COLUMN_BLOCK}-wide slice of them) is loaded from L2/L3 once and then
 * read from L1 for every row of the block, where the row-at-a-time loop streamed the whole matrix
 * (0.9 MB for the default policy, more than a core's L2) once per row. The loop over output units
 * j is the same single-row loop as before, which C2 vectorises; the blocking only reorders whole
 * loops, never the updates of one element, so a row gets the same bits alone, in a block, or at
 * any place in a batch of any size. (Register-blocked variants, two or four rows updated in one
 * loop body, were measured here: C2 on Java 17 vectorises them only sometimes, and they ran
 * 2-3x slower than this loop when it did not.)
 *
 * <p>Why not sgemm over the live rows: OpenBLAS 0.3.19's sgemm sums a row's elements in an order
 * that depends on the row count and on the row's place among them (measured here on the Zen
 * kernels: a row alone, with 3 others or with 50 others gives different bits, even with the row
 * count padded to a multiple of 4..48), which would make a completion depend on its batch-mates.
 *
 * <p>The first layer's input is an embedding row, so its input product (with the bias) is a
 * per-token table computed once per kernel ({@link #inputTable}) by the same updates over the
 * embedding's k; a step continues them over the recurrent weights. (With the embedding size a
 * multiple of 4, as for every shipped size, the groups of four fall exactly as in one pass over
 * {@code [x | h_prev]}.)
 *
 * <p>Layout, as DL4J stores it: embedding W (V, E); LSTM W (in, 4H), RW (H, 4H), b (4H) with gate
 * blocks [block input z | forget f | output o | input i]; output W (H, V), b (V). All row-major.
 */
public final class LstmKernel implements TokenStepper {
  /** Rows that share each group of weight rows while it is in L1 ({@link #product}). */
  static final int ROW_BLOCK = 16;
  /** Output units per slice of a weight row in {@link #product} (4 rows of it: 16 KB). */
  static final int COLUMN_BLOCK = 1024;

  final int vocabularySize;
  final int embeddingSize;
  final int hiddenSize;
  final int layers;
  /**
   * Per token, the first layer's gate pre-activations from its input: bias, then the updates over
   * the embedding row's E elements. (V, 4H).
   */
  private final float[][] inputTable;
  /**
   * Per layer, the weights a step multiplies, one array per weight row: for layer 0 RW only (its
   * input part is in {@link #inputTable}); for the others W and RW stacked, rows [0, H) W and
   * [H, 2H) RW, so one pass over {@code [h_below | h_prev]} computes all gate pre-activations. Row
   * arrays (rather than one flat array with row offsets) let C2 vectorise the update loops: it
   * only proves loads and stores independent when they share an index expression.
   */
  private final float[][][] weights;
  private final float[][] biases;
  private final float[][] outputWeights;
  private final float[] outputBias;

  private LstmKernel(MultiLayerNetwork net) {
    layers = LstmFactory.lstmLayers(net);
    float[][] emb = matrix(net.getLayer(0).getParam("W"));
    vocabularySize = emb.length;
    embeddingSize = emb[0].length;
    weights = new float[layers][][];
    biases = new float[layers][];
    float[][] inputWeights = null;
    for (int l = 0; l < layers; l++) {
      var layer = net.getLayer(1 + l);
      float[][] w = matrix(layer.getParam("W"));
      float[][] rw = matrix(layer.getParam("RW"));
      biases[l] = floats(layer.getParam("b"));
      if (l == 0) {
        inputWeights = w;
        weights[l] = rw;
      } else {
        float[][] stacked = new float[w.length + rw.length][];
        System.arraycopy(w, 0, stacked, 0, w.length);
        System.arraycopy(rw, 0, stacked, w.length, rw.length);
        weights[l] = stacked;
      }
    }
    hiddenSize = biases[0].length / 4;
    inputTable = new float[vocabularySize][];
    for (int t = 0; t < vocabularySize; t++) {
      float[] g = biases[0].clone();
      accumulate1(emb[t], inputWeights, embeddingSize, 4 * hiddenSize, g);
      inputTable[t] = g;
    }
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

  /**
   * Reads the prompts side by side as the default does, but feeds each distinct prefix once:
   * prompts that share their first t tokens share one row through position t (a trie walked one
   * depth per step), and a prompt's row is copied out where it ends. A row's floats depend only on
   * its own tokens (see the class comment), so the states and logits are bit for bit those of
   * feeding every prompt on its own row; templated prompts ("How much is 12+7?") save most of
   * their positions.
   */
  @Override
  public TokenStepper.Rows prefill(List<int[]> prompts, float[] lastLogits) {
    int b = prompts.size();
    int v = vocabularySize;
    State result = new State(b);
    int longest = 0;
    for (int[] p : prompts) {
      longest = Math.max(longest, p.length);
    }
    // frontier: one row per distinct prefix of the current length; node[p] = prompt p's row in it
    int[] node = new int[b];
    State frontier = null;
    Scratch scratch = new Scratch(b);
    float[] logits = new float[b * v];
    int[] sources = new int[b];
    int[] tokens = new int[b];
    int[] rows = new int[b];
    for (int t = 0; t < longest; t++) {
      Map<Long, Integer> children = new HashMap<>();
      int n = 0;
      for (int p = 0; p < b; p++) {
        int[] pt = prompts.get(p);
        if (t >= pt.length) {
          continue;
        }
        long key = (t == 0 ? 0L : (long) node[p] << 32) | (pt[t] & 0xffffffffL);
        Integer child = children.get(key);
        if (child == null) {
          child = n;
          children.put(key, n);
          sources[n] = t == 0 ? 0 : node[p];
          tokens[n] = pt[t];
          rows[n] = n;
          n++;
        }
        node[p] = child;
      }
      State next = new State(n);
      for (int r = 0; t > 0 && r < n; r++) {
        frontier.copyRow(sources[r], next, r);
      }
      frontier = next;
      step(n, rows, tokens, frontier, scratch, logits);
      for (int p = 0; p < b; p++) {
        if (t == prompts.get(p).length - 1) {
          frontier.copyRow(node[p], result, p);
          System.arraycopy(logits, node[p] * v, lastLogits, p * v, v);
        }
      }
    }
    return new KernelRows(result);
  }

  /** A batch of rows for the {@link Sampler}: their state and this thread's scratch. */
  private final class KernelRows implements TokenStepper.Rows {
    private final State state;
    private final Scratch scratch;

    KernelRows(State state) {
      this(state, new Scratch(state.capacity));
    }

    KernelRows(State state, Scratch scratch) {
      this.state = state;
      this.scratch = scratch;
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
    final int capacity;
    final float[][] h;
    final float[][] c;

    State(int capacity) {
      this.capacity = capacity;
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

  /** Scratch space for {@link #step}, one array per stepped row (allocated on first use). */
  private final class Scratch {
    /** Per row: [layer input | previous h] (layer 0: previous h only). */
    final float[][] xh;
    final float[][] gates;
    final float[][] logits;
    /** One row's gate blocks and cell state, for {@link #cell}. */
    final float[] z = new float[hiddenSize];
    final float[] f = new float[hiddenSize];
    final float[] o = new float[hiddenSize];
    final float[] in = new float[hiddenSize];
    final float[] cell = new float[hiddenSize];

    Scratch(int capacity) {
      xh = new float[capacity][];
      gates = new float[capacity][];
      logits = new float[capacity][];
    }

    void ensure(int n) {
      for (int i = 0; i < n; i++) {
        if (xh[i] != null) {
          continue;
        }
        xh[i] = new float[2 * hiddenSize];
        gates[i] = new float[4 * hiddenSize];
        logits[i] = new float[vocabularySize];
      }
    }
  }

  /**
   * Feeds {@code tokens[i]} to row {@code rows[i]} for i < n, advancing its state, and writes the
   * next-token logits of that row to {@code logits[i*V, (i+1)*V)}.
   *
   * <p>Layer by layer over all n rows: the product for the rows together ({@link #product}), then
   * each row's cell. A row's floats do not depend on its batch-mates (see the class comment).
   */
  private void step(int n, int[] rows, int[] tokens, State state, Scratch scratch, float[] logits) {
    int hs = hiddenSize;
    int v = vocabularySize;
    scratch.ensure(n);
    float[][] xh = scratch.xh;
    float[][] g = scratch.gates;
    float[][] out = scratch.logits;
    for (int i = 0; i < n; i++) {
      System.arraycopy(inputTable[tokens[i]], 0, g[i], 0, 4 * hs);
      System.arraycopy(state.h[0], rows[i] * hs, xh[i], 0, hs);
    }
    for (int l = 0; l < layers; l++) {
      int k = l == 0 ? hs : 2 * hs;
      if (l > 0) {
        for (int i = 0; i < n; i++) {
          System.arraycopy(biases[l], 0, g[i], 0, 4 * hs);
          System.arraycopy(state.h[l], rows[i] * hs, xh[i], hs, hs);
        }
      }
      product(xh, n, weights[l], k, 4 * hs, g);
      for (int i = 0; i < n; i++) {
        cell(g[i], state.h[l], state.c[l], rows[i] * hs, xh[i], scratch);
      }
    }
    for (int i = 0; i < n; i++) {
      System.arraycopy(outputBias, 0, out[i], 0, v);
    }
    product(xh, n, outputWeights, hs, v, out);
    for (int i = 0; i < n; i++) {
      System.arraycopy(out[i], 0, logits, i * v, v);
    }
  }

  /**
   * out[i][0..m) += x[i][0..k) . w (k rows of m) for rows i < n, each element by exactly the
   * updates of {@link #accumulate1}, in the same order. Blocked: column slices of
   * {@link #COLUMN_BLOCK}, within them blocks of {@link #ROW_BLOCK} rows, within them the groups of
   * four weight rows, each run over every row of the block while it is in L1.
   */
  private static void product(float[][] x, int n, float[][] w, int k, int m, float[][] out) {
    int k4 = k - k % KS;
    for (int j0 = 0; j0 < m; j0 += COLUMN_BLOCK) {
      int j1 = Math.min(m, j0 + COLUMN_BLOCK);
      for (int r0 = 0; r0 < n; r0 += ROW_BLOCK) {
        int r1 = Math.min(n, r0 + ROW_BLOCK);
        for (int kk = 0; kk < k4; kk += KS) {
          float[] w0 = w[kk], w1 = w[kk + 1], w2 = w[kk + 2], w3 = w[kk + 3];
          for (int r = r0; r < r1; r++) {
            float[] xr = x[r];
            float[] o = out[r];
            float a0 = xr[kk], a1 = xr[kk + 1], a2 = xr[kk + 2], a3 = xr[kk + 3];
            for (int j = j0; j < j1; j++) {
              o[j] += (a0 * w0[j] + a1 * w1[j]) + (a2 * w2[j] + a3 * w3[j]);
            }
          }
        }
        for (int kk = k4; kk < k; kk++) {
          float[] w0 = w[kk];
          for (int r = r0; r < r1; r++) {
            float a = x[r][kk];
            float[] o = out[r];
            for (int j = j0; j < j1; j++) {
              o[j] += a * w0[j];
            }
          }
        }
      }
    }
  }

  /**
   * LSTM cell for one row: gates (4H) -> new c and h (written to state and to {@code hOut}). The
   * gate blocks and the row's c are first copied to arrays of their own, so that every loop indexes
   * its arrays by plain {@code j}, which C2 vectorises (with the blocks at offsets of one array,
   * the cell-state and output loops ran scalar). Element-wise, so the bits are those of any other
   * loop order.
   */
  private void cell(float[] g, float[] h, float[] c, int offset, float[] hOut, Scratch s) {
    int hs = hiddenSize;
    float[] z = s.z;
    float[] f = s.f;
    float[] o = s.o;
    float[] in = s.in;
    float[] cell = s.cell;
    System.arraycopy(g, 0, z, 0, hs);
    System.arraycopy(g, hs, f, 0, hs);
    System.arraycopy(g, 2 * hs, o, 0, hs);
    System.arraycopy(g, 3 * hs, in, 0, hs);
    System.arraycopy(c, offset, cell, 0, hs);
    for (int j = 0; j < hs; j++) {
      z[j] = tanh(z[j]); // block input
    }
    for (int j = 0; j < hs; j++) {
      f[j] = sigmoid(f[j]); // forget gate
    }
    for (int j = 0; j < hs; j++) {
      o[j] = sigmoid(o[j]); // output gate
    }
    for (int j = 0; j < hs; j++) {
      in[j] = sigmoid(in[j]); // input gate
    }
    for (int j = 0; j < hs; j++) {
      cell[j] = f[j] * cell[j] + in[j] * z[j];
    }
    for (int j = 0; j < hs; j++) {
      hOut[j] = o[j] * tanh(cell[j]);
    }
    System.arraycopy(cell, 0, c, offset, hs);
    System.arraycopy(hOut, 0, h, offset, hs);
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

  /** Weight rows (k) folded into one update of an output element. */
  private static final int KS = 4;

  /**
   * out[0..m) += x[0..k) . w (k rows of m), one row: the updates that {@link #product} applies to
   * each of its rows.
   *
   * <p>k is consumed {@link #KS} weight rows at a time, each output element updated as
   * {@code o += (a0 w0 + a1 w1) + (a2 w2 + a3 w3)} (fewer loads and stores of {@code out}), then
   * one row at a time for the remainder. Every index is plain {@code j}, which C2 vectorises.
   */
  private static void accumulate1(float[] x, float[][] w, int k, int m, float[] out) {
    int k4 = k - k % KS;
    for (int kk = 0; kk < k4; kk += KS) {
      float a0 = x[kk], a1 = x[kk + 1], a2 = x[kk + 2], a3 = x[kk + 3];
      float[] w0 = w[kk], w1 = w[kk + 1], w2 = w[kk + 2], w3 = w[kk + 3];
      for (int j = 0; j < m; j++) {
        out[j] += (a0 * w0[j] + a1 * w1[j]) + (a2 * w2[j] + a3 * w3[j]);
      }
    }
    for (int kk = k4; kk < k; kk++) {
      float a = x[kk];
      float[] w0 = w[kk];
      for (int j = 0; j < m; j++) {
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
}
