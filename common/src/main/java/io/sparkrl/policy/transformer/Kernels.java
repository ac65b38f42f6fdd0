package io.sparkrl.policy.transformer;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The transformer's building blocks and their derivatives, as ND4J ops both the CPU and the CUDA
 * backend provide (gemm, element-wise transforms, row/column broadcasts, reductions). Matrices
 * are (rows, features), one row per token position.
 */
final class Kernels {
  /** sqrt(2/pi), of the tanh approximation of GELU. */
  private static final double GELU_C = Math.sqrt(2 / Math.PI);
  private static final double GELU_A = 0.044715;

  private Kernels() {}

  /** a b, row-major. */
  static INDArray mm(INDArray a, INDArray b) {
    return mm(a, b, false, false);
  }

  /**
   * op(a) op(b), row-major, op transposing when asked: libnd4j's matmul (cheaper per call than
   * INDArray.mmul, and it reads the transposes in place).
   */
  static INDArray mm(INDArray a, INDArray b, boolean transposeA, boolean transposeB) {
    INDArray c = Nd4j.matmul(a, b, transposeA, transposeB, false);
    return c.ordering() == 'c' ? c : c.dup('c');
  }

  /**
   * A linear map: {@code x W^T + b} for a Llama weight stored (out, in), {@code x W + b} for a
   * GPT-2 Conv1D weight stored (in, out). {@code bias} (1, out) may be null.
   */
  static INDArray linear(INDArray x, INDArray w, boolean outIn, INDArray bias) {
    INDArray y = mm(x, w, false, outIn);
    if (bias != null) {
      y.addiRowVector(bias);
    }
    return y;
  }

  /**
   * The backward pass of {@link #linear}: adds dL/dW to {@code gw} and dL/db to {@code gb} (when
   * not null); returns dL/dx.
   */
  static INDArray linearBackward(INDArray x, INDArray dy, INDArray w, boolean outIn, INDArray gw,
      INDArray gb) {
    gw.addi(outIn ? mm(dy, x, true, false) : mm(x, dy, true, false));
    if (gb != null) {
      gb.addi(dy.sum(true, 0));
    }
    return mm(dy, w, false, !outIn);
  }

  /** A normalisation's saved values: the normalised input and the inverse scale per row. */
  record Normalised(INDArray xhat, INDArray inverse, INDArray out) {}

  /** RMSNorm: {@code x / sqrt(mean(x^2) + eps) * w}. */
  static Normalised rmsNorm(INDArray x, INDArray w, double eps) {
    INDArray inverse = Transforms.pow(x.mul(x).mean(true, 1).addi(eps), -0.5, false);
    INDArray xhat = x.mulColumnVector(inverse);
    return new Normalised(xhat, inverse, xhat.mulRowVector(w));
  }

  /** LayerNorm with bias: {@code (x - mean) / sqrt(var + eps) * w + b}, biased variance. */
  static Normalised layerNorm(INDArray x, INDArray w, INDArray b, double eps) {
    INDArray centred = x.subColumnVector(x.mean(true, 1));
    INDArray inverse =
        Transforms.pow(centred.mul(centred).mean(true, 1).addi(eps), -0.5, false);
    INDArray xhat = centred.muliColumnVector(inverse);
    return new Normalised(xhat, inverse, xhat.mulRowVector(w).addiRowVector(b));
  }

  /**
   * The backward pass of {@link #rmsNorm} ({@code gb} null) or {@link #layerNorm}: adds dL/dw
   * (and dL/db) and returns dL/dx.
   */
  static INDArray normBackward(Normalised n, INDArray dy, INDArray w, INDArray gw, INDArray gb) {
    gw.addi(dy.mul(n.xhat()).sum(true, 0));
    INDArray u = dy.mulRowVector(w);
    INDArray dx = u.sub(n.xhat().mulColumnVector(u.mul(n.xhat()).mean(true, 1)));
    if (gb != null) {
      gb.addi(dy.sum(true, 0));
      dx.subiColumnVector(u.mean(true, 1));
    }
    return dx.muliColumnVector(n.inverse());
  }

  /** tanh-GELU: {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}. */
  static INDArray gelu(INDArray x) {
    INDArray th = geluTanh(x);
    return th.addi(1).muli(x).muli(0.5);
  }

  /** dL/dx of {@link #gelu} at x, given dL/dy. */
  static INDArray geluBackward(INDArray x, INDArray dy) {
    INDArray th = geluTanh(x);
    INDArray x2 = x.mul(x);
    // 0.5 (1 + th) + 0.5 x (1 - th^2) c (1 + 3 a x^2)
    INDArray slope = th.mul(th).rsubi(1).muli(x).muli(x2.muli(3 * GELU_A).addi(1))
        .muli(0.5 * GELU_C);
    return slope.addi(th.addi(1).muli(0.5)).muli(dy);
  }

  private static INDArray geluTanh(INDArray x) {
    INDArray inner = x.mul(x).muli(x).muli(GELU_A).addi(x).muli(GELU_C);
    return Transforms.tanh(inner, false);
  }

  /** SiLU: {@code x sigmoid(x)}. */
  static INDArray silu(INDArray x) {
    return Transforms.sigmoid(x, true).muli(x);
  }

  /** dL/dx of {@link #silu}: {@code dy s (1 + x (1 - s))}, s = sigmoid(x). */
  static INDArray siluBackward(INDArray x, INDArray dy) {
    INDArray s = Transforms.sigmoid(x, true);
    return s.rsub(1).muli(x).addi(1).muli(s).muli(dy);
  }

  /** Softmax of each row of {@code s}, in place. Rows need at least one finite entry. */
  static INDArray softmaxRows(INDArray s) {
    s.subiColumnVector(s.max(true, 1));
    Transforms.exp(s, false);
    return s.diviColumnVector(s.sum(true, 1));
  }

  /** dL/ds of {@link #softmaxRows} with output p: {@code p (dp - rowsum(dp p))}. */
  static INDArray softmaxBackward(INDArray p, INDArray dp) {
    INDArray dot = dp.mul(p).sum(true, 1);
    return dp.subColumnVector(dot).muli(p);
  }

  /**
   * {@code table[index[r]] += rows[r]} for every r, in place (repeated indices add up): libnd4j's
   * scatter_add, on both backends.
   */
  static void scatterAddRows(INDArray table, int[] index, INDArray rows) {
    Nd4j.exec(DynamicCustomOp.builder("scatter_add")
        .addInputs(table, Nd4j.createFromArray(index), rows).addOutputs(table).callInplace(true)
        .build());
  }

  /**
   * Hugging Face's rotate_half per head: a (rows, n*hd) matrix of n heads of width hd becomes
   * {@code [-x2, x1]} in every head, x1/x2 the head's first/second half.
   */
  static INDArray rotateHalf(INDArray x, int headDim) {
    long rows = x.size(0);
    long heads = x.size(1) / headDim;
    INDArray in = (x.ordering() == 'c' && !x.isView() ? x : x.dup('c'))
        .reshape('c', rows * heads, headDim);
    INDArray out = Nd4j.createUninitialized(x.dataType(), rows * heads, headDim);
    int half = headDim / 2;
    out.get(NDArrayIndex.all(), NDArrayIndex.interval(0, half))
        .assign(in.get(NDArrayIndex.all(), NDArrayIndex.interval(half, headDim)).neg());
    out.get(NDArrayIndex.all(), NDArrayIndex.interval(half, headDim))
        .assign(in.get(NDArrayIndex.all(), NDArrayIndex.interval(0, half)));
    return out.reshape('c', rows, heads * headDim);
  }
}
