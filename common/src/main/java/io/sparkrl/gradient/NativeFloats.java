package io.sparkrl.gradient;

import java.nio.FloatBuffer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * A row-major float matrix store in native memory, which BLAS reads and writes in place, with
 * bulk copies to and from Java arrays for the element-wise work.
 *
 * <p>Why direct OpenBLAS rather than {@code Nd4j.gemm}: the LSTM's backward pass is a few hundred
 * matrix products per step, many of them small (one time step of a batch), where the cost of an
 * ND4J op call (views, shape checks, the 'f'-order result rule) rivals the arithmetic. This is the
 * same OpenBLAS library ND4J loads, so its thread setting ({@code OMP_NUM_THREADS}) applies.
 */
public final class NativeFloats {
  private static final int ROW_MAJOR = openblas_nolapack.CblasRowMajor;
  private static final int NO_TRANS = openblas_nolapack.CblasNoTrans;
  private static final int TRANS = openblas_nolapack.CblasTrans;

  private final FloatPointer pointer;
  private final FloatBuffer buffer;
  public final int size;

  /** {@code size} floats, zeroed. Freed by JavaCPP's deallocator when unreachable. */
  public NativeFloats(int size) {
    this.size = size;
    pointer = new FloatPointer(Math.max(1, size));
    pointer.zero();
    buffer = pointer.asBuffer();
  }

  public void put(int offset, float[] from, int fromOffset, int length) {
    buffer.put(offset, from, fromOffset, length);
  }

  public void get(int offset, float[] to, int toOffset, int length) {
    buffer.get(offset, to, toOffset, length);
  }

  public void zero(int offset, int length) {
    new FloatPointer(pointer).position(offset).limit(offset + length).zero();
  }

  private FloatPointer at(int offset) {
    return new FloatPointer(pointer).position(offset);
  }

  /**
   * {@code C = alpha op(A) op(B) + beta C}, row-major, with C (m, n) and op(A) (m, k), op(B) (k, n);
   * each operand is the matrix starting at its offset with leading dimension ld.
   */
  public static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
      NativeFloats a, int aOffset, int lda, NativeFloats b, int bOffset, int ldb, float beta,
      NativeFloats c, int cOffset, int ldc) {
    if (m == 0 || n == 0) {
      return;
    }
    openblas_nolapack.cblas_sgemm(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS,
        m, n, k, alpha, a.at(aOffset), lda, b.at(bOffset), ldb, beta, c.at(cOffset), ldc);
  }
}
