package io.sparkrl.policy.transformer;

import io.sparkrl.sampling.TokenStepper;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Sampling steps with a key/value cache. {@link #prefill} reads all prompts in ONE batched causal
 * pass (right-padded) and stores each layer's post-rotary keys and values of every prompt position;
 * each {@link Rows#step} then feeds one token per listed row at that row's own position (its
 * length so far), appends its key/value to the row's cache and attends over the row's cache only.
 *
 * <p>Cache per row set: {@code 2 * layers * rows * capacity * kvHeads * headDim} elements, with
 * capacity = longest prompt + maxNewTokens (capped at maxPositions); a row that outgrows it
 * (only possible when {@link #start} is used without a prefill) doubles it.
 *
 * <p>What is and is not bit-for-bit: a row's attention reads only its own cache (the batched
 * matmul runs one product per (row, kv head); positions past the row's own are masked to exactly
 * zero weight), so no value of another row enters a row's arithmetic. But the shapes of the
 * backend's products depend on the batch: the per-position gemms (projections, MLP, head) have
 * as many rows as rows stepped (a gemv path for one), and the attention span is the longest
 * stepped row's length. So a row's logits alone and in a batch agree to rounding, not bit for
 * bit, and a sampled token can differ only where a uniform draw lands within rounding of a
 * cumulative-probability boundary (as with the LSTM's NetworkStepper). Cached steps and a full
 * recomputation agree to rounding in the same way; the tests check tokens equal and log-probs to
 * 1e-5.
 *
 * <p>Not thread-safe; one stepper (and its rows) per sampling thread.
 */
public final class TransformerStepper implements TokenStepper {
  private final TransformerPolicy policy;
  private final TransformerShape shape;
  private final int maxNewTokens;

  TransformerStepper(TransformerPolicy policy, int maxNewTokens) {
    if (maxNewTokens < 1) {
      throw new IllegalArgumentException("maxNewTokens " + maxNewTokens + " must be at least 1");
    }
    this.policy = policy;
    this.shape = policy.shape();
    this.maxNewTokens = maxNewTokens;
  }

  @Override
  public int vocabularySize() {
    return shape.vocabularySize();
  }

  @Override
  public Rows start(int capacity) {
    return new CachedRows(capacity, Math.min(shape.maxPositions(), maxNewTokens));
  }

  @Override
  public Rows prefill(List<int[]> prompts, float[] lastLogits) {
    int b = prompts.size();
    int v = shape.vocabularySize();
    int longest = 0;
    int total = 0;
    for (int[] p : prompts) {
      if (p.length == 0) {
        throw new IllegalArgumentException("an empty prompt cannot be prefilled");
      }
      longest = Math.max(longest, p.length);
      total += p.length;
    }
    if (longest > shape.maxPositions()) {
      throw new IllegalArgumentException("prompt of " + longest + " tokens exceeds the model's "
          + shape.maxPositions() + " positions");
    }
    CachedRows rows = new CachedRows(b, Math.min(shape.maxPositions(), longest + maxNewTokens));
    CausalAttention attention = new CausalAttention(shape, b, longest, policy.dataType());
    TransformerForward.Pass pass = policy.run(prompts.toArray(new int[0][]), longest, attention);
    // every prompt position's key/value row of the padded pass, and its cache slots
    int kv = shape.kvHeads();
    int[] sources = new int[total];
    int[] slots = new int[total * kv];
    int n = 0;
    for (int i = 0; i < b; i++) {
      for (int t = 0; t < prompts.get(i).length; t++) {
        sources[n] = i * longest + t;
        for (int g = 0; g < kv; g++) {
          slots[n * kv + g] = rows.slot(i, g, t);
        }
        n++;
      }
    }
    for (int l = 0; l < shape.layers(); l++) {
      rows.write(l, slots, pass.layers[l].k, pass.layers[l].v, sources);
    }
    int[] last = new int[b];
    for (int i = 0; i < b; i++) {
      rows.length[i] = prompts.get(i).length;
      last[i] = i * longest + rows.length[i] - 1;
    }
    float[] values = floats(TransformerForward.rows(pass.logits, last));
    System.arraycopy(values, 0, lastLogits, 0, b * v);
    return rows;
  }

  private static float[] floats(INDArray m) {
    INDArray f = m.castTo(DataType.FLOAT);
    if (f.ordering() != 'c' || f.isView()) {
      f = f.dup('c');
    }
    return f.data().asFloat();
  }

  /**
   * Rows' caches: per layer (rows, kvHeads, capacity, hd) keys and values, and lengths. A cache
   * slot is written once (when its position is fed) and read by its own row only.
   */
  private final class CachedRows implements Rows {
    private INDArray[] keys;
    private INDArray[] values;
    private final int[] length;
    private int capacity;

    CachedRows(int rows, int capacity) {
      this(new int[rows], capacity, new INDArray[shape.layers()], new INDArray[shape.layers()]);
      for (int l = 0; l < shape.layers(); l++) {
        keys[l] = Nd4j.zeros(policy.dataType(), rows, shape.kvHeads(), capacity, shape.headDim());
        values[l] = Nd4j.zeros(policy.dataType(), rows, shape.kvHeads(), capacity,
            shape.headDim());
      }
    }

    private CachedRows(int[] length, int capacity, INDArray[] keys, INDArray[] values) {
      this.length = length;
      this.capacity = capacity;
      this.keys = keys;
      this.values = values;
    }

    /** The index of (row, kv head, position) among the cache's (rows*kv*capacity, hd) rows. */
    int slot(int row, int head, int position) {
      return (row * shape.kvHeads() + head) * capacity + position;
    }

    /**
     * Writes rows {@code sources} of k and v (n, kv*hd), or all of them when null, to the slots
     * (n*kv: each source row's kv heads in order).
     */
    void write(int layer, int[] slots, INDArray k, INDArray v, int[] sources) {
      long hd = shape.headDim();
      long all = keys[layer].length() / hd;
      INDArray kRows = sources == null ? k : TransformerForward.rows(k, sources);
      INDArray vRows = sources == null ? v : TransformerForward.rows(v, sources);
      // each slot is written once and starts at zero: scatter_add is an update
      Kernels.scatterAddRows(keys[layer].reshape('c', all, hd), slots,
          kRows.dup('c').reshape('c', slots.length, hd));
      Kernels.scatterAddRows(values[layer].reshape('c', all, hd), slots,
          vRows.dup('c').reshape('c', slots.length, hd));
    }

    @Override
    public void step(int n, int[] rows, int[] tokens, float[] logits) {
      if (n == 0) {
        return;
      }
      int[] stepTokens = java.util.Arrays.copyOf(tokens, n);
      int[] stepRows = java.util.Arrays.copyOf(rows, n);
      int[] positions = new int[n];
      int needed = 0;
      for (int i = 0; i < n; i++) {
        positions[i] = length[rows[i]];
        if (positions[i] >= shape.maxPositions()) {
          throw new IllegalArgumentException("row " + rows[i] + " would read position "
              + positions[i] + ", beyond the model's " + shape.maxPositions() + " positions");
        }
        needed = Math.max(needed, positions[i] + 1);
      }
      if (needed > capacity) {
        grow(Math.min(shape.maxPositions(), Math.max(needed, 2 * capacity)));
      }
      int span = needed;
      TransformerForward.Pass pass = policy.forward().run(stepTokens, positions,
          (layer, q, k, v) -> attend(layer, stepRows, positions, span, q, k, v));
      float[] values = floats(pass.logits);
      System.arraycopy(values, 0, logits, 0, n * shape.vocabularySize());
      for (int i = 0; i < n; i++) {
        length[rows[i]]++;
      }
    }

    /**
     * Appends k/v of each stepped row to its cache, then attends: one batched matmul over (row,
     * kv head) pairs, the G query heads of a group as G rows against that row's first
     * {@code span} cache positions, positions past the row's own masked.
     */
    private INDArray attend(int layer, int[] rows, int[] positions, int span, INDArray q,
        INDArray k, INDArray v) {
      int n = rows.length;
      int kv = shape.kvHeads();
      int group = shape.groupSize();
      int hd = shape.headDim();
      int[] slots = new int[n * kv];
      for (int i = 0; i < n; i++) {
        for (int g = 0; g < kv; g++) {
          slots[i * kv + g] = slot(rows[i], g, positions[i]);
        }
      }
      write(layer, slots, k, v, null);
      double[] m = new double[n * kv * group * span];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < kv * group; j++) {
          java.util.Arrays.fill(m, (i * kv * group + j) * span + positions[i] + 1,
              (i * kv * group + j + 1) * span, CausalAttention.MASKED);
        }
      }
      INDArray rowKeys = gather(keys[layer], rows, span);
      INDArray rowValues = gather(values[layer], rows, span);
      INDArray queries = q.dup('c').reshape('c', (long) n * kv, group, hd);
      INDArray scores = Nd4j.matmul(queries, rowKeys, false, true, false)
          .muli(1 / Math.sqrt(hd));
      INDArray flat = scores.reshape('c', (long) n * kv * group, span);
      flat.addi(Nd4j.create(m, new long[] {(long) n * kv * group, span}, 'c')
          .castTo(scores.dataType()));
      Kernels.softmaxRows(flat);
      return Nd4j.matmul(scores, rowValues).reshape('c', n, (long) shape.heads() * hd);
    }

    /** Rows' caches, first {@code span} positions: (n*kv, span, hd). */
    private INDArray gather(INDArray cache, int[] rows, int span) {
      long perRow = cache.length() / cache.size(0);
      INDArray picked = TransformerForward.rows(cache.reshape('c', cache.size(0), perRow), rows)
          .reshape('c', (long) rows.length * shape.kvHeads(), capacity, shape.headDim());
      return span == capacity ? picked
          : picked.get(NDArrayIndex.all(), NDArrayIndex.interval(0, span), NDArrayIndex.all())
              .dup('c');
    }

    private void grow(int newCapacity) {
      for (int l = 0; l < shape.layers(); l++) {
        keys[l] = widen(keys[l], newCapacity);
        values[l] = widen(values[l], newCapacity);
      }
      capacity = newCapacity;
    }

    private INDArray widen(INDArray cache, int newCapacity) {
      INDArray out = Nd4j.zeros(cache.dataType(), cache.size(0), cache.size(1), newCapacity,
          cache.size(3));
      out.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, capacity),
          NDArrayIndex.all()).assign(cache);
      return out;
    }

    @Override
    public Rows expand(int[] sources) {
      INDArray[] k = new INDArray[shape.layers()];
      INDArray[] v = new INDArray[shape.layers()];
      for (int l = 0; l < shape.layers(); l++) {
        k[l] = copyRows(keys[l], sources);
        v[l] = copyRows(values[l], sources);
      }
      int[] lengths = new int[sources.length];
      for (int r = 0; r < sources.length; r++) {
        lengths[r] = length[sources[r]];
      }
      return new CachedRows(lengths, capacity, k, v);
    }

    private INDArray copyRows(INDArray cache, int[] sources) {
      long rowSize = cache.length() / cache.size(0);
      return TransformerForward.rows(cache.reshape('c', cache.size(0), rowSize), sources)
          .reshape('c', sources.length, cache.size(1), cache.size(2), cache.size(3));
    }
  }
}
