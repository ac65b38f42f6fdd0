package io.sparkrl.policy.transformer;

/**
 * How the sampler multiplies the rows it steps by the weights: {@code y[r, f.column() + o] =
 * (x[r] op(W_f))[o]} for each piece f of a linear map (no bias), and the head's logits. Two
 * implementations, chosen per JVM by {@link SamplingProducts}: {@link BlasProducts} (OpenBLAS
 * sgemm on native copies) and {@link PanelProducts} (the JDK's Vector API over
 * {@link WeightPanels}).
 *
 * <p>Not thread-safe: one per kernel.
 */
interface RowProducts {
  /** Every piece of one linear map over rows 0..n of x (leading dimension ldx) into y (ldy). */
  void linear(FastWeights.Linear[] pieces, int n, float[] x, int ldx, float[] y, int ldy);

  /** logits (n, V) = x (n, d) head^T. */
  void head(int n, float[] x, float[] logits);

  /** Bytes this kernel's products hold beyond the shared parameters (buffers). */
  long bytes();
}
