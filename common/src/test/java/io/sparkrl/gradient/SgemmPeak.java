package io.sparkrl.gradient;

/**
 * This machine's sgemm rate on the calling thread's BLAS settings: the yardstick for the backward
 * pass's GFLOP/s (run with OMP_NUM_THREADS=1 for the single-core peak).
 */
public final class SgemmPeak {
  private SgemmPeak() {}

  /** Best of {@code repeats} row-major (n, n) x (n, n) products, in GFLOP/s. */
  public static double gflops(int n, int repeats) {
    NativeFloats a = new NativeFloats(n * n);
    NativeFloats b = new NativeFloats(n * n);
    NativeFloats c = new NativeFloats(n * n);
    float[] values = new float[n * n];
    for (int i = 0; i < values.length; i++) {
      values[i] = (i % 17) * 0.01f - 0.08f;
    }
    a.put(0, values, 0, values.length);
    b.put(0, values, 0, values.length);
    long best = Long.MAX_VALUE;
    for (int r = 0; r < repeats; r++) {
      long t0 = System.nanoTime();
      NativeFloats.gemm(false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n);
      best = Math.min(best, System.nanoTime() - t0);
    }
    return 2.0 * n * n * n / best;
  }
}
