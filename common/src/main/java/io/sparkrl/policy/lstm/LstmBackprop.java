package io.sparkrl.policy.lstm;

import io.sparkrl.gradient.CompletionLogProbs;
import io.sparkrl.gradient.GradientEngine;
import io.sparkrl.gradient.GradientSum;
import io.sparkrl.gradient.LossSettings;
import io.sparkrl.gradient.NativeFloats;
import io.sparkrl.gradient.SequenceBatch;
import io.sparkrl.gradient.TokenLoss;
import io.sparkrl.gradient.TrainingSequence;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The policy's forward pass and backpropagation through time on the flat parameters, with
 * preallocated buffers and direct BLAS calls: the same gradient SUM as {@link Dl4jGradient#sum}
 * (tested to 1e-5 against it on every loss option), without DL4J's per-op overhead.
 *
 * <p>Rows are time-major: row {@code r = t*B + i} is position t of sequence i, so one time step of
 * the batch is a contiguous block of B rows. The input projection of every position, the output
 * layer, and all weight gradients are single matrix products over all T*B rows; only the
 * recurrent products run per time step. Shapes: X (T*B, in), gates (T*B, 4H), h ((T+1)*B, H) with
 * block 0 the zero initial state, logits (T*B, V).
 *
 * <p>Activations use {@link LstmKernel#tanh} (absolute error below 4e-7), as sampling does.
 * Buffers live in a per-thread workspace per role ("policy", "reference"), grown to the largest
 * batch seen and reused: one live engine per role and thread.
 */
public final class LstmBackprop implements GradientEngine {
  private static final ThreadLocal<Map<String, Workspace>> WORKSPACES =
      ThreadLocal.withInitial(HashMap::new);

  private final FlatLayout layout;
  private final float[] params;
  private final Workspace ws;
  private NativeFloats nativeParams;
  /** The batch whose forward pass the workspace holds, and its geometry. */
  private SequenceBatch forwardOf;
  private int batchSize;
  private int length;
  private float[] logits;

  private LstmBackprop(FlatLayout layout, float[] params, Workspace ws) {
    this.layout = layout;
    this.params = params;
    this.ws = ws;
  }

  /** An engine over a copy of the network's current parameters (any data type; computes in float). */
  public static LstmBackprop of(MultiLayerNetwork net, String role) {
    return of(net, net.params().castTo(DataType.FLOAT).toFloatVector(), role);
  }

  /**
   * An engine over {@code parameters}, the float values the network holds (a policy snapshot's,
   * which the step has just loaded into it): spares copying them back out of the network. They are
   * only read.
   */
  public static LstmBackprop of(MultiLayerNetwork net, float[] parameters, String role) {
    if (parameters.length != net.numParams()) {
      throw new IllegalArgumentException(parameters.length + " parameters for a network of "
          + net.numParams());
    }
    return new LstmBackprop(FlatLayout.of(net), parameters,
        WORKSPACES.get().computeIfAbsent(role, r -> new Workspace()));
  }

  /**
   * d/d(theta) of {@code sum_i [ -A_i sum_t log pi(a_t^i) + beta sum_t k_t - alpha sum_t H_t ]}
   * over completion tokens, in DL4J's flat parameter order.
   *
   * @param regularizer the loss whose KL/entropy terms to include, or null for none
   * @param referenceLogProbs log pi_ref per completion token, when the KL term is on
   */
  @Override
  public GradientSum sum(SequenceBatch batch, double[] advantages, LossSettings regularizer,
      double[][] referenceLogProbs) {
    List<TrainingSequence> sequences = batch.sequences();
    if (advantages.length != sequences.size()) {
      throw new IllegalArgumentException(advantages.length + " advantages for "
          + sequences.size() + " sequences");
    }
    double beta = regularizer == null ? 0 : regularizer.klCoefficient();
    double alpha = regularizer == null ? 0 : regularizer.entropyCoefficient();
    boolean k3 = regularizer != null && regularizer.klEstimator() == LossSettings.KlEstimator.K3;
    if (beta != 0 && referenceLogProbs == null) {
      throw new IllegalArgumentException("the KL term needs reference log-probs");
    }
    forward(batch);
    int b = batchSize;
    int rows = length * b;
    int v = layout.vocabulary();
    int h = layout.hidden();
    int layers = layout.layers();

    // loss rows -> dL/dz (T*B, V), in double per row as ReinforceLoss does
    float[] dz = ws.heap("dz", rows * v);
    java.util.Arrays.fill(dz, 0, rows * v, 0f);
    double[] z = new double[v];
    double[] dzRow = new double[v];
    double[] outputBias = new double[v];
    double loss = 0;
    for (int i = 0; i < b; i++) {
      TrainingSequence s = sequences.get(i);
      int[] tokens = s.tokens();
      for (int t = s.promptLength() - 1; t < tokens.length - 1; t++) {
        int r = t * b + i;
        for (int j = 0; j < v; j++) {
          z[j] = logits[r * v + j];
        }
        double lref = beta != 0 ? referenceLogProbs[i][t + 1 - s.promptLength()] : 0;
        loss += TokenLoss.row(z, tokens[t + 1], advantages[i], beta, lref, k3, alpha, dzRow, 0);
        for (int j = 0; j < v; j++) {
          float d = (float) dzRow[j];
          dz[r * v + j] = d;
          outputBias[j] += d;
        }
      }
    }
    NativeFloats dzNative = ws.nat("z", rows * v);
    dzNative.put(0, dz, 0, rows * v);
    NativeFloats grad = ws.nat("grad", layout.parameters());
    NativeFloats top = ws.nat("h" + (layers - 1), (rows + b) * h);
    // output layer: dW^T (V, H) = dZ^T h;  dH (T*B, H) = dZ W^T
    NativeFloats.gemm(true, false, v, h, rows, 1f, dzNative, 0, v, top, b * h, h, 0f, grad,
        layout.outputW(), h);
    int widest = Math.max(h, layout.embedding());
    NativeFloats dh = ws.nat("dh", rows * widest);
    NativeFloats.gemm(false, false, rows, h, v, 1f, dzNative, 0, v, nativeParams,
        layout.outputW(), h, 0f, dh, 0, h);

    double[] gradient = new double[layout.parameters()];
    for (int l = layers - 1; l >= 0; l--) {
      double[] bias = backwardLayer(l, dh, grad);
      for (int j = 0; j < bias.length; j++) {
        gradient[layout.lstmB()[l] + j] = bias[j];
      }
    }
    // embedding rows: scatter-add dX of layer 0 by token; E^T (E, V) row-major
    int e = layout.embedding();
    float[] dx = ws.heap("dx", rows * e);
    dh.get(0, dx, 0, rows * e);
    int[] tokens = ws.tokens;
    for (int r = 0; r < rows; r++) {
      for (int k = 0; k < e; k++) {
        gradient[layout.embeddingW() + k * v + tokens[r]] += dx[r * e + k];
      }
    }
    float[] weights = ws.heap("gradh", layout.parameters());
    grad.get(0, weights, 0, layout.parameters());
    addSegment(gradient, weights, layout.outputW(), v * h);
    for (int l = 0; l < layers; l++) {
      addSegment(gradient, weights, layout.lstmW()[l], 4 * h * layout.inputs()[l]);
      addSegment(gradient, weights, layout.lstmRW()[l], 4 * h * h);
    }
    for (int j = 0; j < v; j++) {
      gradient[layout.outputB() + j] = outputBias[j];
    }
    return new GradientSum(gradient, b, batch.completionTokens(), loss);
  }

  /** log pi(a) of every completion token, [i][k]: the forward pass only. */
  @Override
  public double[][] completionLogProbs(SequenceBatch batch) {
    forward(batch);
    return CompletionLogProbs.of(batch, logits, layout.vocabulary(), (i, t) -> t * batchSize + i);
  }

  private static void addSegment(double[] gradient, float[] from, int offset, int length) {
    for (int k = offset; k < offset + length; k++) {
      gradient[k] += from[k];
    }
  }

  /** Embedding, LSTM stack, output logits for every position of the batch. */
  private void forward(SequenceBatch batch) {
    if (ws.owner == this && forwardOf == batch) {
      return; // several gradients of one batch share one forward pass
    }
    if (ws.owner != this) {
      nativeParams = ws.nat("params", params.length);
      nativeParams.put(0, params, 0, params.length);
    }
    List<TrainingSequence> sequences = batch.sequences();
    int b = sequences.size();
    int len = batch.length();
    int rows = len * b;
    int v = layout.vocabulary();
    int e = layout.embedding();
    int h = layout.hidden();
    int[] tokens = ws.tokens(rows);
    for (int i = 0; i < b; i++) {
      int[] s = sequences.get(i).tokens();
      for (int t = 0; t < len; t++) {
        tokens[t * b + i] = t < s.length ? s[t] : 0; // padding as LstmFactory.input pads
      }
    }
    float[] x = ws.heap("x", rows * e);
    int emb = layout.embeddingW();
    for (int r = 0; r < rows; r++) {
      for (int k = 0; k < e; k++) {
        x[r * e + k] = params[emb + k * v + tokens[r]];
      }
    }
    NativeFloats input = ws.nat("x", rows * e);
    input.put(0, x, 0, rows * e);
    int inputOffset = 0;
    float[] g = ws.heap("g", b * 4 * h);
    float[] hRows = ws.heap("hrows", b * h);
    for (int l = 0; l < layout.layers(); l++) {
      int in = layout.inputs()[l];
      NativeFloats gates = ws.nat("a" + l, rows * 4 * h);
      NativeFloats hs = ws.nat("h" + l, (rows + b) * h);
      float[] cell = ws.heap("c" + l, rows * h);
      hs.zero(0, b * h);
      NativeFloats.gemm(false, true, rows, 4 * h, in, 1f, input, inputOffset, in, nativeParams,
          layout.lstmW()[l], in, 0f, gates, 0, 4 * h);
      int bias = layout.lstmB()[l];
      for (int t = 0; t < len; t++) {
        int block = t * b * 4 * h;
        if (t > 0) {
          NativeFloats.gemm(false, true, b, 4 * h, h, 1f, hs, t * b * h, h, nativeParams,
              layout.lstmRW()[l], h, 1f, gates, block, 4 * h);
        }
        gates.get(block, g, 0, b * 4 * h);
        for (int i = 0; i < b; i++) {
          int c = (t * b + i) * h;
          cellForward(g, i * 4 * h, bias, cell, c, t > 0 ? c - b * h : -1, hRows, i * h, h);
        }
        gates.put(block, g, 0, b * 4 * h);
        hs.put((t + 1) * b * h, hRows, 0, b * h);
      }
      input = hs;
      inputOffset = b * h;
    }
    NativeFloats out = ws.nat("z", rows * v);
    NativeFloats.gemm(false, true, rows, v, h, 1f, input, inputOffset, h, nativeParams,
        layout.outputW(), h, 0f, out, 0, v);
    logits = ws.heap("logits", rows * v);
    out.get(0, logits, 0, rows * v);
    int ob = layout.outputB();
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < v; j++) {
        logits[r * v + j] += params[ob + j];
      }
    }
    forwardOf = batch;
    ws.owner = this;
    batchSize = b;
    length = len;
  }

  /**
   * One row's cell: pre-activations g (4H at go, bias not yet added) become the gate activations
   * [z f o i]; writes c at co and h at ho. {@code cp} is c_{t-1}'s offset, or -1 for zero.
   */
  private void cellForward(float[] g, int go, int bias, float[] cell, int co, int cp, float[] hOut,
      int ho, int h) {
    for (int j = 0; j < 4 * h; j++) {
      g[go + j] += params[bias + j];
    }
    for (int j = 0; j < h; j++) {
      g[go + j] = LstmKernel.tanh(g[go + j]);
    }
    for (int j = h; j < 4 * h; j++) {
      g[go + j] = sigmoid(g[go + j]);
    }
    for (int j = 0; j < h; j++) {
      float previous = cp < 0 ? 0f : cell[cp + j];
      float c = g[go + h + j] * previous + g[go + 3 * h + j] * g[go + j];
      cell[co + j] = c;
      hOut[ho + j] = g[go + 2 * h + j] * LstmKernel.tanh(c);
    }
  }

  /**
   * Backpropagation through time of LSTM layer l, given dL/dh of every position in {@code dh}
   * (T*B, H). Writes the layer's weight gradients into {@code grad} and dL/dx (T*B, in) into
   * {@code dh}; returns the bias gradient (4H).
   */
  private double[] backwardLayer(int l, NativeFloats dh, NativeFloats grad) {
    int b = batchSize;
    int rows = length * b;
    int h = layout.hidden();
    int in = layout.inputs()[l];
    float[] dhFromAbove = ws.heap("dhh", rows * h);
    dh.get(0, dhFromAbove, 0, rows * h);
    NativeFloats gates = ws.nat("a" + l, rows * 4 * h);
    NativeFloats hs = ws.nat("h" + l, (rows + b) * h);
    NativeFloats dGates = ws.nat("da", rows * 4 * h);
    NativeFloats recurrent = ws.nat("rec", b * h);
    float[] cell = ws.heap("c" + l, rows * h);
    float[] g = ws.heap("g", b * 4 * h);
    float[] dg = ws.heap("dg", b * 4 * h);
    float[] dhNext = ws.heap("dhnext", b * h);
    float[] dcNext = ws.heap("dcnext", b * h);
    java.util.Arrays.fill(dhNext, 0, b * h, 0f);
    java.util.Arrays.fill(dcNext, 0, b * h, 0f);
    double[] bias = new double[4 * h];
    for (int t = length - 1; t >= 0; t--) {
      int block = t * b * 4 * h;
      gates.get(block, g, 0, b * 4 * h);
      for (int i = 0; i < b; i++) {
        int c = (t * b + i) * h;
        cellBackward(g, dg, i * 4 * h, cell, c, t > 0 ? c - b * h : -1, dhFromAbove, dhNext,
            dcNext, i * h, h);
      }
      dGates.put(block, dg, 0, b * 4 * h);
      for (int i = 0; i < b; i++) {
        for (int j = 0; j < 4 * h; j++) {
          bias[j] += dg[i * 4 * h + j];
        }
      }
      if (t > 0) { // dL/dh_{t-1} through the recurrence: dA_t RW^T, RW^T stored (4H, H)
        NativeFloats.gemm(false, false, b, h, 4 * h, 1f, dGates, block, 4 * h, nativeParams,
            layout.lstmRW()[l], h, 0f, recurrent, 0, h);
        recurrent.get(0, dhNext, 0, b * h);
      }
    }
    NativeFloats input = l == 0 ? ws.nat("x", rows * in) : ws.nat("h" + (l - 1), (rows + b) * h);
    int inputOffset = l == 0 ? 0 : b * h;
    // dW^T (4H, in) = dA^T X;  dRW^T (4H, H) = dA^T h_{t-1};  dX (T*B, in) = dA W^T
    NativeFloats.gemm(true, false, 4 * h, in, rows, 1f, dGates, 0, 4 * h, input, inputOffset, in,
        0f, grad, layout.lstmW()[l], in);
    NativeFloats.gemm(true, false, 4 * h, h, rows, 1f, dGates, 0, 4 * h, hs, 0, h, 0f, grad,
        layout.lstmRW()[l], h);
    NativeFloats.gemm(false, false, rows, in, 4 * h, 1f, dGates, 0, 4 * h, nativeParams,
        layout.lstmW()[l], in, 0f, dh, 0, in);
    return bias;
  }

  /** One row of one time step: gate activations g -> gate pre-activation gradients dg. */
  private static void cellBackward(float[] g, float[] dg, int go, float[] cell, int co, int cp,
      float[] dhFromAbove, float[] dhNext, float[] dcNext, int ro, int h) {
    for (int j = 0; j < h; j++) {
      float z = g[go + j];
      float f = g[go + h + j];
      float o = g[go + 2 * h + j];
      float in = g[go + 3 * h + j];
      float c = cell[co + j];
      float previous = cp < 0 ? 0f : cell[cp + j];
      float tc = LstmKernel.tanh(c);
      float dhv = dhFromAbove[co + j] + dhNext[ro + j];
      float dc = dhv * o * (1 - tc * tc) + dcNext[ro + j];
      dg[go + j] = dc * in * (1 - z * z);
      dg[go + h + j] = dc * previous * f * (1 - f);
      dg[go + 2 * h + j] = dhv * tc * o * (1 - o);
      dg[go + 3 * h + j] = dc * z * in * (1 - in);
      dcNext[ro + j] = dc * f;
    }
  }

  private static float sigmoid(float v) {
    return 0.5f + 0.5f * LstmKernel.tanh(0.5f * v);
  }

  /** Buffers of one role on one thread, grown to the largest batch and reused. */
  private static final class Workspace {
    private final Map<String, NativeFloats> natives = new HashMap<>();
    private final Map<String, float[]> arrays = new HashMap<>();
    private int[] tokens = new int[0];
    private Object owner;

    NativeFloats nat(String name, int size) {
      NativeFloats f = natives.get(name);
      if (f == null || f.size < size) {
        f = new NativeFloats(size);
        natives.put(name, f);
      }
      return f;
    }

    float[] heap(String name, int size) {
      float[] a = arrays.get(name);
      if (a == null || a.length < size) {
        a = new float[size];
        arrays.put(name, a);
      }
      return a;
    }

    int[] tokens(int size) {
      if (tokens.length < size) {
        tokens = new int[size];
      }
      return tokens;
    }
  }
}
