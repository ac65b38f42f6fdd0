package io.sparkrl.policy.transformer;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Rotary position embeddings in Hugging Face's rotate-half layout: within each head of width hd,
 * column j pairs with column j + hd/2 and both turn by the angle {@code p * theta^(-2(j mod
 * hd/2)/hd)} at absolute position p: {@code x' = x cos + rotate_half(x) sin}. The map is linear,
 * and its transpose is {@code g cos - rotate_half(g sin)}.
 *
 * @param cos (rows, heads*hd): the cosines, repeated for every query head
 * @param sin the same for the sines
 */
record Rotary(INDArray cos, INDArray sin, int headDim) {

  /** Tables for one row per position in {@code positions}. */
  static Rotary at(TransformerShape shape, int[] positions, DataType dataType) {
    int hd = shape.headDim();
    int half = hd / 2;
    int width = shape.heads() * hd;
    double[] inverseFrequency = new double[half];
    for (int j = 0; j < half; j++) {
      inverseFrequency[j] = Math.pow(shape.ropeTheta(), -2.0 * j / hd);
    }
    double[] c = new double[positions.length * width];
    double[] s = new double[positions.length * width];
    for (int r = 0; r < positions.length; r++) {
      for (int col = 0; col < width; col++) {
        double angle = positions[r] * inverseFrequency[(col % hd) % half];
        c[r * width + col] = Math.cos(angle);
        s[r * width + col] = Math.sin(angle);
      }
    }
    long[] dims = {positions.length, width};
    return new Rotary(Nd4j.create(c, dims, 'c').castTo(dataType),
        Nd4j.create(s, dims, 'c').castTo(dataType), hd);
  }

  /** The rotated copy of x (rows, n*hd), n <= heads. */
  INDArray apply(INDArray x) {
    INDArray c = columns(cos, x.size(1));
    INDArray s = columns(sin, x.size(1));
    return Kernels.rotateHalf(x, headDim).muli(s).addi(x.mul(c));
  }

  /** dL/dx of {@link #apply}, given dL/dx'. */
  INDArray backward(INDArray dy) {
    INDArray c = columns(cos, dy.size(1));
    INDArray s = columns(sin, dy.size(1));
    return dy.mul(c).subi(Kernels.rotateHalf(dy.mul(s), headDim));
  }

  private static INDArray columns(INDArray table, long width) {
    return width == table.size(1) ? table
        : table.get(NDArrayIndex.all(), NDArrayIndex.interval(0, width));
  }
}
