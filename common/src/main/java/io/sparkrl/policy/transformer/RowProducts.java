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

  /**
   * One query head's attention scores: {@code scores[u] = sum_j q[q0 + j] * keys[k0 + j * stride
   * + u]} for u &lt; len &lt;= stride, j &lt; hd, each score a product then a sum per j in order of
   * j (every implementation the same floats). {@code scores} may be written up to the next
   * multiple of 16 past len, so it holds at least len + 16 floats.
   */
  default void scores(float[] q, int q0, float[] keys, int k0, int stride, int hd, int len,
      float[] scores) {
    java.util.Arrays.fill(scores, 0, len, 0f);
    for (int j = 0; j < hd; j++) {
      float qj = q[q0 + j];
      int key = k0 + j * stride;
      for (int u = 0; u < len; u++) {
        scores[u] += qj * keys[key + u];
      }
    }
  }

  /**
   * One head's context: {@code out[o + j] = sum_u p[u] * values[v0 + u * hd + j]} for j &lt; hd,
   * u &lt; len, a product then a sum per u in order of u (every implementation the same floats).
   */
  default void mix(float[] p, int len, float[] values, int v0, int hd, float[] out, int o) {
    java.util.Arrays.fill(out, o, o + hd, 0f);
    for (int u = 0; u < len; u++) {
      float pu = p[u];
      int value = v0 + u * hd;
      for (int j = 0; j < hd; j++) {
        out[o + j] += pu * values[value + j];
      }
    }
  }

  /** Bytes this kernel's products hold beyond the shared parameters (buffers). */
  long bytes();
}
