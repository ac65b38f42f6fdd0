package io.sparkrl.policy.transformer;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Causal softmax attention over whole sequences: B sequences of T positions, row {@code i*T + t}
 * of q/k/v being position t of sequence i. Each (sequence, query head) is its own (T, T) product,
 * so no sequence sees another; query head h reads key/value head {@code h / (heads/kvHeads)}.
 * Position t attends to positions 0..t only, so right-padding after a sequence's tokens never
 * reaches them, and every softmax row has its diagonal unmasked (no fully masked row, no NaN).
 * Keeps each head's probabilities for {@link #backward}.
 */
final class CausalAttention implements TransformerForward.Attention {
  /** Added to scores above the diagonal: exp underflows to exactly 0 in float and double. */
  private static final double MASKED = -1e30;

  private final TransformerShape shape;
  private final int sequences;
  private final int length;
  private final double scale;
  private final INDArray mask;
  /** probabilities[layer][i * heads + h]: (T, T). */
  private final INDArray[][] probabilities;

  CausalAttention(TransformerShape shape, int sequences, int length, DataType dataType) {
    this.shape = shape;
    this.sequences = sequences;
    this.length = length;
    this.scale = 1 / Math.sqrt(shape.headDim());
    double[] m = new double[length * length];
    for (int t = 0; t < length; t++) {
      for (int u = t + 1; u < length; u++) {
        m[t * length + u] = MASKED;
      }
    }
    this.mask = Nd4j.create(m, new long[] {length, length}, 'c').castTo(dataType);
    this.probabilities = new INDArray[shape.layers()][sequences * shape.heads()];
  }

  @Override
  public INDArray attend(int layer, INDArray q, INDArray k, INDArray v) {
    int hd = shape.headDim();
    INDArray context = Nd4j.create(q.dataType(), q.size(0), q.size(1));
    for (int i = 0; i < sequences; i++) {
      INDArrayIndex rows = NDArrayIndex.interval((long) i * length, (long) (i + 1) * length);
      for (int h = 0; h < shape.heads(); h++) {
        int g = h / shape.groupSize();
        INDArray qh = q.get(rows, head(h, hd));
        INDArray kh = k.get(rows, head(g, hd));
        INDArray vh = v.get(rows, head(g, hd));
        INDArray p = Kernels.softmaxRows(Kernels.mm(qh, kh.transpose()).muli(scale).addi(mask));
        probabilities[layer][i * shape.heads() + h] = p;
        context.get(rows, head(h, hd)).assign(Kernels.mm(p, vh));
      }
    }
    return context;
  }

  /** dL/dq, dL/dk, dL/dv of layer {@code layer}'s {@link #attend}, given dL/dcontext. */
  INDArray[] backward(int layer, INDArray q, INDArray k, INDArray v, INDArray dContext) {
    int hd = shape.headDim();
    INDArray dq = Nd4j.create(q.dataType(), q.size(0), q.size(1));
    INDArray dk = Nd4j.create(k.dataType(), k.size(0), k.size(1));
    INDArray dv = Nd4j.create(v.dataType(), v.size(0), v.size(1));
    for (int i = 0; i < sequences; i++) {
      INDArrayIndex rows = NDArrayIndex.interval((long) i * length, (long) (i + 1) * length);
      for (int h = 0; h < shape.heads(); h++) {
        int g = h / shape.groupSize();
        INDArray p = probabilities[layer][i * shape.heads() + h];
        INDArray dOut = dContext.get(rows, head(h, hd));
        INDArray kh = k.get(rows, head(g, hd));
        INDArray vh = v.get(rows, head(g, hd));
        dv.get(rows, head(g, hd)).addi(Kernels.mm(p.transpose(), dOut));
        INDArray ds = Kernels.softmaxBackward(p, Kernels.mm(dOut, vh.transpose())).muli(scale);
        dq.get(rows, head(h, hd)).assign(Kernels.mm(ds, kh));
        dk.get(rows, head(g, hd)).addi(Kernels.mm(ds.transpose(), q.get(rows, head(h, hd))));
      }
    }
    return new INDArray[] {dq, dk, dv};
  }

  private static INDArrayIndex head(int h, int hd) {
    return NDArrayIndex.interval((long) h * hd, (long) (h + 1) * hd);
  }
}
