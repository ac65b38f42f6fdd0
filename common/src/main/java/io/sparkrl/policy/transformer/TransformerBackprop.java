package io.sparkrl.policy.transformer;

import io.sparkrl.gradient.CompletionLogProbs;
import io.sparkrl.gradient.GradientEngine;
import io.sparkrl.gradient.GradientSum;
import io.sparkrl.gradient.LossSettings;
import io.sparkrl.gradient.NativeFloats;
import io.sparkrl.gradient.SequenceBatch;
import io.sparkrl.gradient.TokenLoss;
import io.sparkrl.gradient.TrainingSequence;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The transformer's CPU fast path for the gradient: one batched forward and backward pass over
 * all sequences with direct OpenBLAS products on native buffers ({@link FastWeights.Linear}) and
 * plain Java loops for the rest ({@link RowMath}), in float. The same maths, padding and loss as
 * {@link TransformerPolicy#sum} (the ND4J reference path, which the CUDA backend runs), tested
 * equal to it to 1e-5 relative on both families and every loss option.
 *
 * <p>Rows as in the reference: row {@code i*T + t} is position t of sequence i, T = the longest
 * sequence minus one, right-padding with token 0 (causal attention keeps it from every real
 * position, and padded rows carry no loss gradient). Every linear map of the decoder stack and its
 * weight gradients are single products over the B*T rows; attention is per (sequence, head), (T, T)
 * products. The head runs over the loss rows only (the positions that predict a completion token),
 * {@link #headChunk} rows at a time, each chunk's logits going through {@link TokenLoss#row} in
 * double and straight back through the head: prompt and padding rows cost no head product, and the
 * logits of a whole batch never exist at once (with a 150,000-token vocabulary they would be
 * gigabytes).
 *
 * <p>Memory (floats, per thread and role, grown to the largest batch and reused; n = B*T): saved
 * per layer {@code n*(2d + 2 + d + qkvWidth + qWidth + d + upWidth) + B*heads*T^2}, plus the
 * head's chunk {@code c*(3V + 2d)} (logits, dL/dlogits on the heap and for BLAS) and a native
 * gradient of P; the result's P doubles.
 *
 * <p>Not thread-safe: one engine per thread and role (the workspace holds its last forward pass,
 * which {@link #completionLogProbs} and {@link #sum} on the same batch share).
 */
public final class TransformerBackprop implements GradientEngine {
  private static final ThreadLocal<Map<String, FastWorkspace>> WORKSPACES =
      ThreadLocal.withInitial(HashMap::new);

  private final FastWeights w;
  private final FastWorkspace ws;
  private SequenceBatch forwardOf;
  private int forwardVersion;
  private int batchSize;
  private int length;
  private int[] tokens;
  private int[] positions;
  /** The rows that predict a completion token, in (sequence, position) order. */
  private int[] lossRows;

  private TransformerBackprop(FastWeights weights, FastWorkspace workspace) {
    this.w = weights;
    this.ws = workspace;
  }

  /** An engine over {@code weights} with this thread's buffers of {@code role}. */
  public static TransformerBackprop of(FastWeights weights, String role) {
    return new TransformerBackprop(weights,
        WORKSPACES.get().computeIfAbsent(role, r -> new FastWorkspace()));
  }

  /** An engine over a copy of {@code parameters} (tests, benchmarks). */
  public static TransformerBackprop of(TransformerShape shape, float[] parameters, String role) {
    return of(new FastWeights(shape, parameters), role);
  }

  /** Bytes of this thread's buffers of the engine's role. */
  public long workspaceBytes() {
    return ws.bytes();
  }

  /** The part of {@link #workspaceBytes} outside the heap. */
  public long workspaceNativeBytes() {
    return ws.nativeBytes();
  }

  @Override
  public double[][] completionLogProbs(SequenceBatch batch) {
    forward(batch);
    List<TrainingSequence> sequences = batch.sequences();
    double[][] out = new double[sequences.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = new double[sequences.get(i).completionLength()];
    }
    int v = w.vocabulary;
    double[] z = new double[v];
    int chunk = chunkRows();
    for (int start = 0; start < lossRows.length; start += chunk) {
      int c = Math.min(chunk, lossRows.length - start);
      float[] logits = headLogits(start, c);
      for (int q = 0; q < c; q++) {
        int r = lossRows[start + q];
        int i = r / length;
        int t = r % length;
        TrainingSequence s = sequences.get(i);
        out[i][t + 1 - s.promptLength()] =
            CompletionLogProbs.of(logits, q * v, s.tokens()[t + 1], z);
      }
    }
    return out;
  }

  /**
   * d/d(theta) of {@code sum_i [ -A_i sum_t log pi(a_t^i) + beta sum_t k_t - alpha sum_t H_t ]}
   * over completion tokens, in {@link TransformerLayout}'s order.
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
    int n = batchSize * length;
    int v = w.vocabulary;
    int d = w.d;
    int parameters = w.values.length;
    double[] gradient = new double[parameters];
    NativeFloats grad = ws.nat("grad", parameters);
    grad.zero(0, parameters);
    // the head and the loss over the loss rows only, a chunk of rows at a time: dL/d(final norm's
    // output) of those rows into t, zero on prompt and padding rows
    float[] t = ws.heap("t", n * d);
    Arrays.fill(t, 0, n * d, 0f);
    int chunk = chunkRows();
    float[] dz = ws.heap("dz", chunk * v);
    double[] z = new double[v];
    double[] dzRow = new double[v];
    double loss = 0;
    for (int start = 0; start < lossRows.length; start += chunk) {
      int c = Math.min(chunk, lossRows.length - start);
      float[] logits = headLogits(start, c);
      for (int q = 0; q < c; q++) {
        int r = lossRows[start + q];
        int i = r / length;
        int pos = r % length;
        TrainingSequence s = sequences.get(i);
        for (int j = 0; j < v; j++) {
          z[j] = logits[q * v + j];
        }
        double lref = beta != 0 ? referenceLogProbs[i][pos + 1 - s.promptLength()] : 0;
        loss += TokenLoss.row(z, s.tokens()[pos + 1], advantages[i], beta, lref, k3, alpha, dzRow,
            0);
        for (int j = 0; j < v; j++) {
          dz[q * v + j] = (float) dzRow[j];
        }
      }
      NativeFloats dzN = ws.nat("z", chunk * v);
      dzN.put(0, dz, 0, c * v);
      w.head.weightGradient(c, ws.nat("nfl", chunk * d), 0, d, dzN, v, grad);
      NativeFloats dn = ws.nat("dnl", chunk * d);
      w.head.inputGradient(c, w.params, dzN, v, dn, false);
      float[] rows = ws.heap("dnl", chunk * d);
      dn.get(0, rows, 0, c * d);
      for (int q = 0; q < c; q++) {
        System.arraycopy(rows, q * d, t, lossRows[start + q] * d, d);
      }
    }
    float[] dres = ws.heap("dres", n * d);
    Arrays.fill(dres, 0, n * d, 0f);
    RowMath.normBackward(t, ws.heap("xhf", n * d), ws.heap("invf", n), n, d, w.values,
        w.finalNorm, !w.llama, dres, gradient, w.finalNorm, w.finalNormBias);
    for (int l = w.shape.layers() - 1; l >= 0; l--) {
      backwardLayer(l, dres, grad, gradient);
    }
    for (int r = 0; r < n; r++) {
      int e = w.embedding + tokens[r] * d;
      for (int j = 0; j < d; j++) {
        gradient[e + j] += dres[r * d + j];
      }
      if (w.positions >= 0) {
        int p = w.positions + positions[r] * d;
        for (int j = 0; j < d; j++) {
          gradient[p + j] += dres[r * d + j];
        }
      }
    }
    float[] weights = ws.heap("gradh", parameters);
    grad.get(0, weights, 0, parameters);
    for (int k = 0; k < parameters; k++) {
      gradient[k] += weights[k];
    }
    return new GradientSum(gradient, sequences.size(), batch.completionTokens(), loss);
  }

  /** dres: dL/d(layer l's output) in, dL/d(layer l's input) out. */
  private void backwardLayer(int l, float[] dres, NativeFloats grad, double[] gradient) {
    int n = batchSize * length;
    int d = w.d;
    int inner = w.mlp;
    int upWidth = w.upWidth;
    float[] t = ws.heap("t", n * d);
    NativeFloats dy = ws.nat("dy", n * d);
    NativeFloats dn = ws.nat("dn", n * d);
    // MLP: out = h + down(act(up(norm2(h))))
    dy.put(0, dres, 0, n * d);
    FastWeights.Linear down = w.down[l];
    if (down.bias() >= 0) {
      RowMath.biasGradient(dres, n, d, 0, d, gradient, down.bias());
    }
    float[] u = ws.heap("u." + l, n * upWidth);
    float[] hidden = ws.heap("hid", n * inner);
    activate(u, n, hidden);
    NativeFloats hiddenN = ws.nat("hidn", n * inner);
    hiddenN.put(0, hidden, 0, n * inner);
    down.weightGradient(n, hiddenN, 0, inner, dy, d, grad);
    NativeFloats dHiddenN = ws.nat("dhid", n * inner);
    down.inputGradient(n, w.params, dy, d, dHiddenN, false);
    float[] dHidden = ws.heap("dhid", n * inner);
    dHiddenN.get(0, dHidden, 0, n * inner);
    float[] du = ws.heap("du", n * upWidth);
    if (w.llama) {
      RowMath.swigluBackward(u, dHidden, n, inner, du);
    } else {
      RowMath.geluBackward(u, dHidden, n * inner, du);
    }
    NativeFloats duN = ws.nat("du", n * upWidth);
    duN.put(0, du, 0, n * upWidth);
    NativeFloats n2 = ws.nat("n2." + l, n * d);
    linearBackward(w.up[l], n, n2, du, duN, upWidth, dn, grad, gradient);
    dn.get(0, t, 0, n * d);
    RowMath.normBackward(t, ws.heap("xh2." + l, n * d), ws.heap("inv2." + l, n), n, d, w.values,
        w.norm2[l], !w.llama, dres, gradient, w.norm2[l], w.norm2Bias[l]);
    // attention: h = x + out(attend(q, k, v)), q/k/v from norm1(x)
    dy.put(0, dres, 0, n * d);
    FastWeights.Linear out = w.attentionOut[l];
    if (out.bias() >= 0) {
      RowMath.biasGradient(dres, n, d, 0, d, gradient, out.bias());
    }
    int qw = w.qWidth;
    NativeFloats context = ws.nat("ctx." + l, n * qw);
    out.weightGradient(n, context, 0, qw, dy, d, grad);
    NativeFloats dContext = ws.nat("dctx", n * qw);
    out.inputGradient(n, w.params, dy, d, dContext, false);
    int qkvWidth = w.qkvWidth;
    NativeFloats dqkvN = ws.nat("dqkv", n * qkvWidth);
    attentionBackward(l, dContext, dqkvN);
    float[] dqkv = ws.heap("dqkvh", n * qkvWidth);
    dqkvN.get(0, dqkv, 0, n * qkvWidth);
    if (w.llama) {
      for (int r = 0; r < n; r++) {
        RowMath.rope(dqkv, r, qkvWidth, 0, w.shape.heads(), w.hd, positions[r], w.cos, w.sin,
            true);
        RowMath.rope(dqkv, r, qkvWidth, qw, w.shape.kvHeads(), w.hd, positions[r], w.cos, w.sin,
            true);
      }
      dqkvN.put(0, dqkv, 0, n * qkvWidth);
    }
    NativeFloats n1 = ws.nat("n1." + l, n * d);
    linearBackward(w.qkv[l], n, n1, dqkv, dqkvN, qkvWidth, dn, grad, gradient);
    dn.get(0, t, 0, n * d);
    RowMath.normBackward(t, ws.heap("xh1." + l, n * d), ws.heap("inv1." + l, n), n, d, w.values,
        w.norm1[l], !w.llama, dres, gradient, w.norm1[l], w.norm1Bias[l]);
  }

  /** Weight, bias and input gradients of the pieces writing columns of dy (width ld). */
  private void linearBackward(FastWeights.Linear[] pieces, int n, NativeFloats x, float[] dy,
      NativeFloats dyN, int ld, NativeFloats dx, NativeFloats grad, double[] gradient) {
    for (int k = 0; k < pieces.length; k++) {
      FastWeights.Linear p = pieces[k];
      if (p.bias() >= 0) {
        RowMath.biasGradient(dy, n, ld, p.column(), p.out(), gradient, p.bias());
      }
      p.weightGradient(n, x, 0, w.d, dyN, ld, grad);
      p.inputGradient(n, w.params, dyN, ld, dx, k > 0);
    }
  }

  /** The MLP's hidden activation from its first product's output u. */
  private void activate(float[] u, int n, float[] hidden) {
    if (w.llama) {
      RowMath.swiglu(u, n, w.mlp, hidden);
    } else {
      RowMath.gelu(u, n * w.mlp, hidden);
    }
  }

  /**
   * Embedding, decoder stack and final norm of every position, saving what the backward pass
   * reads; the head runs later, over the loss rows only ({@link #headLogits}).
   */
  private void forward(SequenceBatch batch) {
    if (ws.owner == this && forwardOf == batch && forwardVersion == w.version) {
      return;
    }
    List<TrainingSequence> sequences = batch.sequences();
    int b = sequences.size();
    int len = batch.length();
    if (len > w.shape.maxPositions()) {
      throw new IllegalArgumentException("position " + (len - 1) + " outside the model's "
          + w.shape.maxPositions() + " positions");
    }
    int n = b * len;
    int d = w.d;
    int v = w.vocabulary;
    tokens = new int[n];
    positions = new int[n];
    for (int i = 0; i < b; i++) {
      int[] s = sequences.get(i).tokens();
      for (int t = 0; t < len; t++) {
        int token = t < s.length ? s[t] : 0;
        if (token < 0 || token >= v) {
          throw new IllegalArgumentException("token " + token + " outside the vocabulary of " + v);
        }
        tokens[i * len + t] = token;
        positions[i * len + t] = t;
      }
    }
    batchSize = b;
    length = len;
    float[] x = ws.heap("x", n * d);
    for (int r = 0; r < n; r++) {
      System.arraycopy(w.values, w.embedding + tokens[r] * d, x, r * d, d);
      if (w.positions >= 0) {
        int p = w.positions + positions[r] * d;
        for (int j = 0; j < d; j++) {
          x[r * d + j] += w.values[p + j];
        }
      }
    }
    float[] t = ws.heap("t", n * d);
    double eps = w.shape.normEpsilon();
    int qkvWidth = w.qkvWidth;
    int upWidth = w.upWidth;
    int inner = w.mlp;
    NativeFloats y = ws.nat("dn", n * d);
    for (int l = 0; l < w.shape.layers(); l++) {
      RowMath.norm(x, n, d, w.values, w.norm1[l], w.norm1Bias[l], eps, t,
          ws.heap("xh1." + l, n * d), ws.heap("inv1." + l, n));
      NativeFloats n1 = ws.nat("n1." + l, n * d);
      n1.put(0, t, 0, n * d);
      NativeFloats qkvN = ws.nat("qkv." + l, n * qkvWidth);
      float[] qkv = ws.heap("qkvh", n * qkvWidth);
      for (FastWeights.Linear p : w.qkv[l]) {
        p.forward(n, w.params, n1, 0, d, qkvN, qkvWidth);
      }
      qkvN.get(0, qkv, 0, n * qkvWidth);
      for (FastWeights.Linear p : w.qkv[l]) {
        if (p.bias() >= 0) {
          RowMath.addBias(qkv, n, qkvWidth, p.column(), w.values, p.bias(), p.out());
        }
      }
      if (w.llama) {
        for (int r = 0; r < n; r++) {
          RowMath.rope(qkv, r, qkvWidth, 0, w.shape.heads(), w.hd, positions[r], w.cos, w.sin,
              false);
          RowMath.rope(qkv, r, qkvWidth, w.qWidth, w.shape.kvHeads(), w.hd, positions[r], w.cos,
              w.sin, false);
        }
      }
      qkvN.put(0, qkv, 0, n * qkvWidth);
      NativeFloats context = ws.nat("ctx." + l, n * w.qWidth);
      attentionForward(l, qkvN, context);
      residual(w.attentionOut[l], n, context, w.qWidth, y, t, x);
      RowMath.norm(x, n, d, w.values, w.norm2[l], w.norm2Bias[l], eps, t,
          ws.heap("xh2." + l, n * d), ws.heap("inv2." + l, n));
      NativeFloats n2 = ws.nat("n2." + l, n * d);
      n2.put(0, t, 0, n * d);
      NativeFloats uN = ws.nat("du", n * upWidth);
      for (FastWeights.Linear p : w.up[l]) {
        p.forward(n, w.params, n2, 0, d, uN, upWidth);
      }
      float[] u = ws.heap("u." + l, n * upWidth);
      uN.get(0, u, 0, n * upWidth);
      for (FastWeights.Linear p : w.up[l]) {
        if (p.bias() >= 0) {
          RowMath.addBias(u, n, upWidth, p.column(), w.values, p.bias(), p.out());
        }
      }
      float[] hidden = ws.heap("hid", n * inner);
      activate(u, n, hidden);
      NativeFloats hiddenN = ws.nat("hidn", n * inner);
      hiddenN.put(0, hidden, 0, n * inner);
      residual(w.down[l], n, hiddenN, inner, y, t, x);
    }
    RowMath.norm(x, n, d, w.values, w.finalNorm, w.finalNormBias, eps, ws.heap("nf", n * d),
        ws.heap("xhf", n * d), ws.heap("invf", n));
    int rows = 0;
    for (TrainingSequence s : sequences) {
      rows += s.completionLength();
    }
    lossRows = new int[rows];
    int q = 0;
    for (int i = 0; i < b; i++) {
      TrainingSequence s = sequences.get(i);
      for (int pos = s.promptLength() - 1; pos < s.tokens().length - 1; pos++) {
        lossRows[q++] = i * len + pos;
      }
    }
    forwardOf = batch;
    forwardVersion = w.version;
    ws.owner = this;
  }

  /**
   * Rows of the head's logits at a time: 8M floats (32 MB a buffer), but at least 256 rows so the
   * head's product stays efficient (a vocabulary over 32,768 then takes 256 V floats). Fixed by V
   * alone, so a batch's sums do not depend on the machine.
   */
  static int headChunk(int vocabulary) {
    return Math.max(256, (8 << 20) / vocabulary);
  }

  /** The head's rows at a time for this batch: its buffers are no larger than its loss rows. */
  private int chunkRows() {
    return Math.max(1, Math.min(headChunk(w.vocabulary), lossRows.length));
  }

  /** The logits (heap, c rows of V) of loss rows start .. start + c - 1. */
  private float[] headLogits(int start, int c) {
    int d = w.d;
    int v = w.vocabulary;
    int chunk = chunkRows();
    float[] nf = ws.heap("nf", batchSize * length * d);
    NativeFloats in = ws.nat("nfl", chunk * d);
    for (int q = 0; q < c; q++) {
      in.put(q * d, nf, lossRows[start + q] * d, d);
    }
    NativeFloats z = ws.nat("z", chunk * v);
    w.head.forward(c, w.params, in, 0, d, z, v);
    float[] logits = ws.heap("logits", chunk * v);
    z.get(0, logits, 0, c * v);
    return logits;
  }

  /** x += in f (+ bias), through native y and heap t (n, d). */
  private void residual(FastWeights.Linear f, int n, NativeFloats in, int ldIn, NativeFloats y,
      float[] t, float[] x) {
    int d = w.d;
    f.forward(n, w.params, in, 0, ldIn, y, d);
    y.get(0, t, 0, n * d);
    if (f.bias() >= 0) {
      RowMath.addBias(t, n, d, 0, w.values, f.bias(), d);
    }
    for (int k = 0; k < n * d; k++) {
      x[k] += t[k];
    }
  }

  /** Causal attention of every (sequence, head), saving the probabilities in "p.l". */
  private void attentionForward(int l, NativeFloats qkv, NativeFloats context) {
    int len = length;
    int heads = w.shape.heads();
    int group = w.shape.groupSize();
    int hd = w.hd;
    int qkvWidth = w.qkvWidth;
    int square = len * len;
    NativeFloats s = ws.nat("s", heads * square);
    NativeFloats p = ws.nat("p." + l, batchSize * heads * square);
    float[] sh = ws.heap("sh", heads * square);
    float scale = (float) (1 / Math.sqrt(hd));
    for (int i = 0; i < batchSize; i++) {
      int base = i * len * qkvWidth;
      for (int h = 0; h < heads; h++) {
        int g = h / group;
        NativeFloats.gemm(false, true, len, len, hd, 1f, qkv, base + h * hd, qkvWidth, qkv,
            base + w.qWidth + g * hd, qkvWidth, 0f, s, h * square, len);
      }
      s.get(0, sh, 0, heads * square);
      for (int row = 0; row < heads * len; row++) {
        CausalSoftmax.BEST.apply(sh, row * len, row % len, len, scale);
      }
      p.put(i * heads * square, sh, 0, heads * square);
      for (int h = 0; h < heads; h++) {
        int g = h / group;
        NativeFloats.gemm(false, false, len, hd, len, 1f, p, (i * heads + h) * square, len, qkv,
            base + w.qWidth + w.kvWidth + g * hd, qkvWidth, 0f, context,
            i * len * w.qWidth + h * hd, w.qWidth);
      }
    }
  }

  /** dL/d[q | k | v] (post-rotary) of layer l's attention into dqkv, given dL/dcontext. */
  private void attentionBackward(int l, NativeFloats dContext, NativeFloats dqkv) {
    int len = length;
    int heads = w.shape.heads();
    int group = w.shape.groupSize();
    int hd = w.hd;
    int qw = w.qWidth;
    int qkvWidth = w.qkvWidth;
    int square = len * len;
    NativeFloats qkv = ws.nat("qkv." + l, batchSize * len * qkvWidth);
    NativeFloats p = ws.nat("p." + l, batchSize * heads * square);
    NativeFloats s = ws.nat("s", heads * square);
    float[] dsh = ws.heap("sh", heads * square);
    float[] ph = ws.heap("ph", heads * square);
    float scale = (float) (1 / Math.sqrt(hd));
    dqkv.zero(0, batchSize * len * qkvWidth);
    int vColumn = qw + w.kvWidth;
    for (int i = 0; i < batchSize; i++) {
      int base = i * len * qkvWidth;
      int cBase = i * len * qw;
      for (int h = 0; h < heads; h++) {
        int g = h / group;
        int pAt = (i * heads + h) * square;
        // dV_g += P^T dO_h;  dP = dO_h V_g^T
        NativeFloats.gemm(true, false, len, hd, len, 1f, p, pAt, len, dContext, cBase + h * hd,
            qw, 1f, dqkv, base + vColumn + g * hd, qkvWidth);
        NativeFloats.gemm(false, true, len, len, hd, 1f, dContext, cBase + h * hd, qw, qkv,
            base + vColumn + g * hd, qkvWidth, 0f, s, h * square, len);
      }
      s.get(0, dsh, 0, heads * square);
      p.get(i * heads * square, ph, 0, heads * square);
      for (int row = 0; row < heads * len; row++) {
        int o = row * len;
        float dt = (float) RowMath.dot(dsh, o, ph, o, len);
        for (int u = 0; u < len; u++) {
          dsh[o + u] = ph[o + u] * (dsh[o + u] - dt) * scale;
        }
      }
      s.put(0, dsh, 0, heads * square);
      for (int h = 0; h < heads; h++) {
        int g = h / group;
        // dQ_h = dS K_g;  dK_g += dS^T Q_h
        NativeFloats.gemm(false, false, len, hd, len, 1f, s, h * square, len, qkv,
            base + qw + g * hd, qkvWidth, 0f, dqkv, base + h * hd, qkvWidth);
        NativeFloats.gemm(true, false, len, hd, len, 1f, s, h * square, len, qkv, base + h * hd,
            qkvWidth, 1f, dqkv, base + qw + g * hd, qkvWidth);
      }
    }
  }
}
