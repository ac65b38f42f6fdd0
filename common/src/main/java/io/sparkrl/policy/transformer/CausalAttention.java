package io.sparkrl.policy.transformer;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Causal softmax attention over whole sequences: B sequences of T positions, row {@code i*T + t}
 * of q/k/v being position t of sequence i; query head h reads key/value head
 * {@code h / (heads/kvHeads)}. All (sequence, kv head) pairs are one batched matmul: the G query
 * heads sharing a kv head are stacked as G*T query rows against its T keys, so no sequence sees
 * another. Position t attends to positions 0..t only, so right-padding after a sequence's tokens
 * never reaches them, and every softmax row has its diagonal unmasked (no fully masked row, no
 * NaN). Keeps the probabilities for {@link #backward}.
 */
final class CausalAttention implements TransformerForward.Attention {
  /** Added to scores above the diagonal: exp underflows to exactly 0 in float and double. */
  static final double MASKED = -1e30;

  private final TransformerShape shape;
  private final int sequences;
  private final int length;
  private final double scale;
  /** (1, G*T*T): the causal mask of one (sequence, kv head) block of stacked query heads. */
  private final INDArray mask;
  /** probabilities[layer]: (B*kv, G*T, T). */
  private final INDArray[] probabilities;

  CausalAttention(TransformerShape shape, int sequences, int length, DataType dataType) {
    this.shape = shape;
    this.sequences = sequences;
    this.length = length;
    this.scale = 1 / Math.sqrt(shape.headDim());
    int group = shape.groupSize();
    double[] m = new double[group * length * length];
    for (int j = 0; j < group; j++) {
      for (int t = 0; t < length; t++) {
        for (int u = t + 1; u < length; u++) {
          m[(j * length + t) * length + u] = MASKED;
        }
      }
    }
    this.mask = Nd4j.create(m, new long[] {1, m.length}, 'c').castTo(dataType);
    this.probabilities = new INDArray[shape.layers()];
  }

  @Override
  public INDArray attend(int layer, INDArray q, INDArray k, INDArray v) {
    int b = sequences;
    int t = length;
    int kv = shape.kvHeads();
    int g = shape.groupSize();
    INDArray scores = Nd4j.matmul(queries(q), keys(k), false, true, false).muli(scale);
    scores.reshape('c', (long) b * kv, (long) g * t * t).addiRowVector(mask);
    Kernels.softmaxRows(scores.reshape('c', (long) b * kv * g * t, t));
    probabilities[layer] = scores;
    return heads(Nd4j.matmul(scores, keys(v)));
  }

  /** dL/dq, dL/dk, dL/dv of layer {@code layer}'s {@link #attend}, given dL/dcontext. */
  INDArray[] backward(int layer, INDArray q, INDArray k, INDArray v, INDArray dContext) {
    int t = length;
    INDArray p = probabilities[layer];
    INDArray dOut = queries(dContext);
    INDArray kk = keys(k);
    INDArray dv = Nd4j.matmul(p, dOut, true, false, false);
    INDArray dp = Nd4j.matmul(dOut, keys(v), false, true, false);
    INDArray ds = Kernels.softmaxBackward(p.reshape('c', p.length() / t, t),
        dp.reshape('c', dp.length() / t, t)).muli(scale).reshape('c', p.shape());
    INDArray dq = heads(Nd4j.matmul(ds, kk));
    INDArray dk = Nd4j.matmul(ds, queries(q), true, false, false);
    return new INDArray[] {dq, unkeys(dk), unkeys(dv)};
  }

  /** (B*T, H*hd) -> (B*kv, G*T, hd): per (sequence, kv head), its G query heads' rows stacked. */
  private INDArray queries(INDArray x) {
    int hd = shape.headDim();
    return x.reshape('c', sequences, length, shape.kvHeads(), shape.groupSize(), hd)
        .permute(0, 2, 3, 1, 4).dup('c')
        .reshape('c', (long) sequences * shape.kvHeads(), (long) shape.groupSize() * length, hd);
  }

  /** The inverse of {@link #queries}. */
  private INDArray heads(INDArray x) {
    int hd = shape.headDim();
    return x.reshape('c', sequences, shape.kvHeads(), shape.groupSize(), length, hd)
        .permute(0, 3, 1, 2, 4).dup('c')
        .reshape('c', (long) sequences * length, (long) shape.heads() * hd);
  }

  /** (B*T, kv*hd) -> (B*kv, T, hd). */
  private INDArray keys(INDArray x) {
    int hd = shape.headDim();
    return x.reshape('c', sequences, length, shape.kvHeads(), hd).permute(0, 2, 1, 3).dup('c')
        .reshape('c', (long) sequences * shape.kvHeads(), length, hd);
  }

  /** The inverse of {@link #keys}. */
  private INDArray unkeys(INDArray x) {
    int hd = shape.headDim();
    return x.reshape('c', sequences, shape.kvHeads(), length, hd).permute(0, 2, 1, 3).dup('c')
        .reshape('c', (long) sequences * length, (long) shape.kvHeads() * hd);
  }
}
