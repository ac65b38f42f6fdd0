package io.sparkrl.policy.transformer;

import io.sparkrl.sampling.TokenStepper;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
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
 * <p>What is bit-for-bit: attention is computed per row over its own cache, so a row's attention
 * never reads another row. The per-position matrix products (projections, MLP, head) are batched
 * over the rows being stepped; the backend's gemm may sum in a different order for a different
 * number of rows (e.g. a gemv path for one row), so a row's logits alone and in a batch can differ
 * by rounding, and a sampled token differs only where a uniform draw lands within rounding of a
 * cumulative-probability boundary. Cached steps and a full recomputation agree to rounding in the
 * same way.
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
    for (int[] p : prompts) {
      if (p.length == 0) {
        throw new IllegalArgumentException("an empty prompt cannot be prefilled");
      }
      longest = Math.max(longest, p.length);
    }
    if (longest > shape.maxPositions()) {
      throw new IllegalArgumentException("prompt of " + longest + " tokens exceeds the model's "
          + shape.maxPositions() + " positions");
    }
    CachedRows rows = new CachedRows(b, Math.min(shape.maxPositions(), longest + maxNewTokens));
    CausalAttention attention = new CausalAttention(shape, b, longest, policy.dataType());
    TransformerForward.Pass pass = policy.run(prompts.toArray(new int[0][]), longest, attention);
    for (int l = 0; l < shape.layers(); l++) {
      TransformerForward.Layer a = pass.layers[l];
      for (int i = 0; i < b; i++) {
        int len = prompts.get(i).length;
        INDArrayIndex source = NDArrayIndex.interval((long) i * longest, (long) i * longest + len);
        INDArrayIndex target = NDArrayIndex.interval(0, len);
        rows.keys[l].get(NDArrayIndex.point(i), target, NDArrayIndex.all())
            .assign(a.k.get(source, NDArrayIndex.all()));
        rows.values[l].get(NDArrayIndex.point(i), target, NDArrayIndex.all())
            .assign(a.v.get(source, NDArrayIndex.all()));
      }
    }
    int[] last = new int[b];
    for (int i = 0; i < b; i++) {
      rows.length[i] = prompts.get(i).length;
      last[i] = i * longest + rows.length[i] - 1;
    }
    INDArray logits = TransformerForward.rows(pass.logits, last).castTo(
        org.nd4j.linalg.api.buffer.DataType.FLOAT);
    float[] values = logits.data().asFloat();
    System.arraycopy(values, 0, lastLogits, 0, b * v);
    return rows;
  }

  /** Rows' caches: per layer (rows, capacity, kvHeads*hd) keys and values, and lengths. */
  private final class CachedRows implements Rows {
    private INDArray[] keys;
    private INDArray[] values;
    private final int[] length;
    private int capacity;

    CachedRows(int rows, int capacity) {
      this(new int[rows], capacity, new INDArray[shape.layers()], new INDArray[shape.layers()]);
      long width = (long) shape.kvHeads() * shape.headDim();
      for (int l = 0; l < shape.layers(); l++) {
        keys[l] = Nd4j.zeros(policy.dataType(), rows, capacity, width);
        values[l] = Nd4j.zeros(policy.dataType(), rows, capacity, width);
      }
    }

    private CachedRows(int[] length, int capacity, INDArray[] keys, INDArray[] values) {
      this.length = length;
      this.capacity = capacity;
      this.keys = keys;
      this.values = values;
    }

    @Override
    public void step(int n, int[] rows, int[] tokens, float[] logits) {
      if (n == 0) {
        return;
      }
      int[] stepTokens = java.util.Arrays.copyOf(tokens, n);
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
      TransformerForward.Pass pass = policy.forward().run(stepTokens, positions,
          (layer, q, k, v) -> attend(layer, n, rows, positions, q, k, v));
      INDArray out = pass.logits.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT);
      if (out.ordering() != 'c' || out.isView()) {
        out = out.dup('c');
      }
      float[] values = out.data().asFloat();
      System.arraycopy(values, 0, logits, 0, n * shape.vocabularySize());
      for (int i = 0; i < n; i++) {
        length[rows[i]]++;
      }
    }

    /** Appends k/v of each stepped row to its cache, then attends over that row's cache. */
    private INDArray attend(int layer, int n, int[] rows, int[] positions, INDArray q, INDArray k,
        INDArray v) {
      int hd = shape.headDim();
      int group = shape.groupSize();
      double scale = 1 / Math.sqrt(hd);
      INDArray context = Nd4j.create(q.dataType(), n, q.size(1));
      for (int i = 0; i < n; i++) {
        int r = rows[i];
        int len = positions[i] + 1;
        keys[layer].get(NDArrayIndex.point(r), NDArrayIndex.point(positions[i]), NDArrayIndex.all())
            .assign(k.getRow(i));
        values[layer].get(NDArrayIndex.point(r), NDArrayIndex.point(positions[i]),
            NDArrayIndex.all()).assign(v.getRow(i));
        INDArray rowKeys = keys[layer].get(NDArrayIndex.point(r), NDArrayIndex.interval(0, len),
            NDArrayIndex.all());
        INDArray rowValues = values[layer].get(NDArrayIndex.point(r),
            NDArrayIndex.interval(0, len), NDArrayIndex.all());
        for (int g = 0; g < shape.kvHeads(); g++) {
          INDArrayIndex kvColumns = NDArrayIndex.interval((long) g * hd, (long) (g + 1) * hd);
          INDArrayIndex qColumns =
              NDArrayIndex.interval((long) g * group * hd, (long) (g + 1) * group * hd);
          // the group's query heads as rows (group, hd) against the shared key/value head
          INDArray queries = q.get(NDArrayIndex.point(i), qColumns).dup('c').reshape('c', group, hd);
          INDArray p = Kernels.softmaxRows(
              Kernels.mm(queries, rowKeys.get(NDArrayIndex.all(), kvColumns).transpose())
                  .muli(scale));
          INDArray o = Kernels.mm(p, rowValues.get(NDArrayIndex.all(), kvColumns));
          context.get(NDArrayIndex.point(i), qColumns).assign(o.reshape('c', 1, (long) group * hd));
        }
      }
      return context;
    }

    private void grow(int newCapacity) {
      for (int l = 0; l < shape.layers(); l++) {
        keys[l] = widen(keys[l], newCapacity);
        values[l] = widen(values[l], newCapacity);
      }
      capacity = newCapacity;
    }

    private INDArray widen(INDArray cache, int newCapacity) {
      INDArray out = Nd4j.zeros(cache.dataType(), cache.size(0), newCapacity, cache.size(2));
      out.get(NDArrayIndex.all(), NDArrayIndex.interval(0, capacity), NDArrayIndex.all())
          .assign(cache);
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
      long rowSize = cache.size(1) * cache.size(2);
      INDArray flat = cache.reshape('c', cache.size(0), rowSize);
      return TransformerForward.rows(flat, sources)
          .reshape('c', sources.length, cache.size(1), cache.size(2));
    }
  }
}
