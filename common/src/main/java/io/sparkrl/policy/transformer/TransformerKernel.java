package io.sparkrl.policy.transformer;

import io.sparkrl.sampling.TokenStepper;
import java.util.List;

/**
 * The transformer's CPU fast path for sampling: KV-cached steps whose per-position matrix products
 * (q/k/v, output, MLP, head) are each one product over all rows being stepped, so the weights
 * stream through the cache once per step whatever the batch and tokens/s grows with it; the rest
 * is plain Java loops ({@link RowMath}). The same maths as {@link TransformerStepper} (the ND4J
 * reference path); tested against a full forward pass and against that stepper.
 *
 * <p>The products are a seam ({@link RowProducts}, chosen by {@link SamplingProducts}): the JDK's
 * Vector API over weights packed once per load ({@link PanelProducts}) where the JVM loads that
 * module, OpenBLAS sgemm ({@link BlasProducts}) otherwise.
 *
 * <p>{@link #prefill} reads every prompt token of every row in ONE batched pass (the rows packed
 * without padding, each token at its own position) and caches each layer's post-rotary keys and
 * values. Attention is per row over that row's own cache only, in Java: position t of a row
 * attends its positions 0..t, both in the prefill and in each {@link Rows#step}.
 *
 * <p>What holds bit for bit: a row's attention never reads another row, and the element-wise maths
 * is per row. With the vector panels so are the products, so a row's logits are the same floats
 * alone and in any batch. OpenBLAS's summation order for a row depends on how many rows the
 * product has and where the row sits among them (measured on OpenBLAS 0.3.19, Zen kernels), so
 * there a row's logits alone and in a batch agree to rounding (about 1e-6 relative), and a sampled
 * token can differ only where a uniform draw lands within that rounding of a
 * cumulative-probability boundary; {@code TransformerKernelTest} checks that completions alone and
 * in a batch are the same with both.
 *
 * <p>Memory per row set: the cache, {@code 2 * layers * rows * capacity * kvHeads * headDim}
 * floats (capacity = longest prompt + maxNewTokens, capped at maxPositions; doubled if a row
 * outgrows it), and per kernel the step buffers, {@code n * (4d + qkvWidth + qWidth + upWidth +
 * mlpWidth + V)} floats for n rows stepped at once. The parameters are shared ({@link FastWeights}),
 * and so is the products' copy of them ({@link FastWeights#samplerBytes}: every weight as panels,
 * or the head's (d, V) copy for OpenBLAS).
 *
 * <p>Not thread-safe; one kernel (and its rows) per sampling thread.
 */
public final class TransformerKernel implements TokenStepper {
  private final FastWeights w;
  private final int maxNewTokens;
  private final FastWorkspace ws = new FastWorkspace();
  private final SamplingProducts kind;
  private final RowProducts products;

  /** A kernel with the fastest products this JVM runs ({@link SamplingProducts#best()}). */
  public TransformerKernel(FastWeights weights, int maxNewTokens) {
    this(weights, maxNewTokens, SamplingProducts.best());
  }

  public TransformerKernel(FastWeights weights, int maxNewTokens, SamplingProducts products) {
    if (maxNewTokens < 1) {
      throw new IllegalArgumentException("maxNewTokens " + maxNewTokens + " must be at least 1");
    }
    this.w = weights;
    this.maxNewTokens = maxNewTokens;
    this.kind = products;
    this.products = products.create(weights, ws);
  }

  /** The products this kernel multiplies with. */
  public SamplingProducts products() {
    return kind;
  }

  /** A kernel over a copy of {@code parameters} (tests, benchmarks). */
  public static TransformerKernel of(TransformerShape shape, float[] parameters,
      int maxNewTokens) {
    return new TransformerKernel(new FastWeights(shape, parameters), maxNewTokens);
  }

  /** A kernel over a copy of {@code parameters} with the given products (tests, benchmarks). */
  public static TransformerKernel of(TransformerShape shape, float[] parameters, int maxNewTokens,
      SamplingProducts products) {
    return new TransformerKernel(new FastWeights(shape, parameters), maxNewTokens, products);
  }

  @Override
  public int vocabularySize() {
    return w.vocabulary;
  }

  @Override
  public Rows start(int capacity) {
    return new CachedRows(capacity, Math.min(w.shape.maxPositions(), maxNewTokens));
  }

  @Override
  public Rows prefill(List<int[]> prompts, float[] lastLogits) {
    int b = prompts.size();
    int longest = 0;
    int total = 0;
    for (int[] p : prompts) {
      if (p.length == 0) {
        throw new IllegalArgumentException("an empty prompt cannot be prefilled");
      }
      longest = Math.max(longest, p.length);
      total += p.length;
    }
    if (longest > w.shape.maxPositions()) {
      throw new IllegalArgumentException("prompt of " + longest + " tokens exceeds the model's "
          + w.shape.maxPositions() + " positions");
    }
    CachedRows rows = new CachedRows(b, Math.min(w.shape.maxPositions(), longest + maxNewTokens));
    int[] row = new int[total];
    int[] position = new int[total];
    int[] token = new int[total];
    int[] last = new int[b];
    int e = 0;
    for (int p = 0; p < b; p++) {
      int[] prompt = prompts.get(p);
      for (int t = 0; t < prompt.length; t++) {
        row[e] = p;
        position[e] = t;
        token[e] = prompt[t];
        e++;
      }
      last[p] = e - 1;
    }
    rows.forward(total, row, position, token, last, b, lastLogits);
    for (int p = 0; p < b; p++) {
      rows.length[p] = prompts.get(p).length;
    }
    return rows;
  }

  /**
   * Per layer and row, one array of keys and one of values: keys dimension-major,
   * {@code keys[l][r][c * capacity + u]} for key dimension c (of the kv width) at position u, so a
   * head's scores run along positions; values group-major, {@code values[l][r][(g * capacity + u)
   * * headDim + j]} for kv group g, so a head's context reads one contiguous block. A row's cache
   * of a layer is two contiguous arrays, which the hardware prefetchers stream: one array per
   * (row, key dimension) and per (row, position), as before, made attention at 64 rows 1.6-2.2x
   * slower per row and token (one core of the 2-core EPYC, tiny's shape), all those small arrays
   * being fetched one by one once the caches exceed the core's own.
   */
  private final class CachedRows implements Rows {
    private final int rows;
    private int capacity;
    private final float[][][] keys;
    private final float[][][] values;
    private final int[] length;

    CachedRows(int rows, int capacity) {
      this(capacity, new float[w.shape.layers()][rows][w.kvWidth * capacity],
          new float[w.shape.layers()][rows][w.kvWidth * capacity], new int[rows]);
    }

    private CachedRows(int capacity, float[][][] keys, float[][][] values, int[] length) {
      this.rows = length.length;
      this.capacity = capacity;
      this.keys = keys;
      this.values = values;
      this.length = length;
    }

    @Override
    public void step(int n, int[] rowIndex, int[] tokens, float[] logits) {
      if (n == 0) {
        return;
      }
      int[] positions = new int[n];
      int[] all = new int[n];
      int needed = 0;
      for (int i = 0; i < n; i++) {
        positions[i] = length[rowIndex[i]];
        if (positions[i] >= w.shape.maxPositions()) {
          throw new IllegalArgumentException("row " + rowIndex[i] + " would read position "
              + positions[i] + ", beyond the model's " + w.shape.maxPositions() + " positions");
        }
        needed = Math.max(needed, positions[i] + 1);
        all[i] = i;
      }
      if (needed > capacity) {
        grow(Math.min(w.shape.maxPositions(), Math.max(needed, 2 * capacity)));
      }
      forward(n, rowIndex, positions, tokens, all, n, logits);
      for (int i = 0; i < n; i++) {
        length[rowIndex[i]]++;
      }
    }

    @Override
    public Rows expand(int[] sources) {
      int layers = keys.length;
      float[][][] k = new float[layers][sources.length][];
      float[][][] v = new float[layers][sources.length][];
      int[] lengths = new int[sources.length];
      for (int r = 0; r < sources.length; r++) {
        for (int l = 0; l < layers; l++) {
          k[l][r] = keys[l][sources[r]].clone();
          v[l][r] = values[l][sources[r]].clone();
        }
        lengths[r] = length[sources[r]];
      }
      return new CachedRows(capacity, k, v, lengths);
    }

    /** Re-lays each row's cache out for {@code newCapacity} positions (the first ones kept). */
    private void grow(int newCapacity) {
      int kv = w.kvWidth;
      int hd = w.hd;
      for (int l = 0; l < keys.length; l++) {
        for (int r = 0; r < rows; r++) {
          float[] k = new float[kv * newCapacity];
          float[] v = new float[kv * newCapacity];
          for (int c = 0; c < kv; c++) {
            System.arraycopy(keys[l][r], c * capacity, k, c * newCapacity, capacity);
          }
          for (int g = 0; g < w.shape.kvHeads(); g++) {
            System.arraycopy(values[l][r], g * capacity * hd, v, g * newCapacity * hd,
                capacity * hd);
          }
          keys[l][r] = k;
          values[l][r] = v;
        }
      }
      capacity = newCapacity;
    }

    /**
     * Feeds token[e] to row[e] at position[e] for e < n (caching its keys and values), then writes
     * the logits of entries select[0..m) to out[i*V, (i+1)*V).
     */
    void forward(int n, int[] row, int[] position, int[] token, int[] select, int m, float[] out) {
      int d = w.d;
      int v = w.vocabulary;
      for (int e = 0; e < n; e++) {
        if (token[e] < 0 || token[e] >= v) {
          throw new IllegalArgumentException("token " + token[e] + " outside the vocabulary of "
              + v);
        }
      }
      float[] x = ws.heap("x", n * d);
      for (int e = 0; e < n; e++) {
        System.arraycopy(w.values, w.embedding + token[e] * d, x, e * d, d);
        if (w.positions >= 0) {
          int p = w.positions + position[e] * d;
          for (int j = 0; j < d; j++) {
            x[e * d + j] += w.values[p + j];
          }
        }
      }
      float[] t = ws.heap("t", n * d);
      float[] inverse = ws.heap("inv", n);
      double eps = w.shape.normEpsilon();
      int qkvWidth = w.qkvWidth;
      int qw = w.qWidth;
      float[] qkv = ws.heap("qkv", n * qkvWidth);
      float[] context = ws.heap("ctx", n * qw);
      float[] u = ws.heap("u", n * w.upWidth);
      float[] hidden = ws.heap("hid", n * w.mlp);
      float[] y = ws.heap("y", n * d);
      for (int l = 0; l < w.shape.layers(); l++) {
        RowMath.norm(x, n, d, w.values, w.norm1[l], w.norm1Bias[l], eps, t, null, inverse);
        products.linear(w.qkv[l], n, t, d, qkv, qkvWidth);
        for (FastWeights.Linear p : w.qkv[l]) {
          if (p.bias() >= 0) {
            RowMath.addBias(qkv, n, qkvWidth, p.column(), w.values, p.bias(), p.out());
          }
        }
        if (w.llama) {
          for (int e = 0; e < n; e++) {
            RowMath.rope(qkv, e, qkvWidth, 0, w.shape.heads(), w.hd, position[e], w.cos, w.sin,
                false);
            RowMath.rope(qkv, e, qkvWidth, qw, w.shape.kvHeads(), w.hd, position[e], w.cos,
                w.sin, false);
          }
        }
        append(l, n, row, position, qkv);
        for (int e = 0; e < n; e++) {
          attend(l, row[e], position[e], qkv, e, context);
        }
        residual(w.attentionOut[l], n, context, qw, y, x);
        RowMath.norm(x, n, d, w.values, w.norm2[l], w.norm2Bias[l], eps, t, null, inverse);
        products.linear(w.up[l], n, t, d, u, w.upWidth);
        for (FastWeights.Linear p : w.up[l]) {
          if (p.bias() >= 0) {
            RowMath.addBias(u, n, w.upWidth, p.column(), w.values, p.bias(), p.out());
          }
        }
        if (w.llama) {
          RowMath.swiglu(u, n, w.mlp, hidden);
        } else {
          RowMath.gelu(u, n * w.mlp, hidden);
        }
        residual(w.down[l], n, hidden, w.mlp, y, x);
      }
      float[] chosen = ws.heap("sel", m * d);
      for (int i = 0; i < m; i++) {
        System.arraycopy(x, select[i] * d, chosen, i * d, d);
      }
      RowMath.norm(chosen, m, d, w.values, w.finalNorm, w.finalNormBias, eps, t, null, inverse);
      products.head(m, t, out);
    }

    /** Writes each entry's post-rotary key and value into its row's cache. */
    private void append(int l, int n, int[] row, int[] position, float[] qkv) {
      int kv = w.kvWidth;
      int hd = w.hd;
      for (int e = 0; e < n; e++) {
        int src = e * w.qkvWidth + w.qWidth;
        int u = position[e];
        float[] k = keys[l][row[e]];
        for (int c = 0; c < kv; c++) {
          k[c * capacity + u] = qkv[src + c];
        }
        float[] v = values[l][row[e]];
        for (int g = 0; g < w.shape.kvHeads(); g++) {
          System.arraycopy(qkv, src + kv + g * hd, v, (g * capacity + u) * hd, hd);
        }
      }
    }

    /** Context of entry e (row r at position p): each query head over positions 0..p of r. */
    private void attend(int l, int r, int p, float[] qkv, int e, float[] context) {
      int hd = w.hd;
      int group = w.shape.groupSize();
      int len = p + 1;
      float[] k = keys[l][r];
      float[] v = values[l][r];
      float[] scores = ws.heap("scores", capacity + 16);
      float scale = (float) (1 / Math.sqrt(hd));
      for (int h = 0; h < w.shape.heads(); h++) {
        int g = h / group;
        products.scores(qkv, e * w.qkvWidth + h * hd, k, g * hd * capacity, capacity, hd, len,
            scores);
        CausalSoftmax.BEST.apply(scores, 0, p, len, scale);
        products.mix(scores, len, v, g * capacity * hd, hd, context, e * w.qWidth + h * hd);
      }
    }

    /** x += f(in) (+ bias) over n rows, via y. */
    private void residual(FastWeights.Linear f, int n, float[] in, int ldIn, float[] y,
        float[] x) {
      int d = w.d;
      products.linear(new FastWeights.Linear[] {f}, n, in, ldIn, y, d);
      if (f.bias() >= 0) {
        RowMath.addBias(y, n, d, 0, w.values, f.bias(), d);
      }
      for (int k = 0; k < n * d; k++) {
        x[k] += y[k];
      }
    }
  }
}
