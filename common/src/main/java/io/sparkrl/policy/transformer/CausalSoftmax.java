package io.sparkrl.policy.transformer;

import io.sparkrl.vector.VectorModule;

/**
 * Attention's softmax over a query's causal positions: {@code s[o + u] = softmax(scale *
 * s[o + 0..t])[u]} for u &le; t, and 0 for t &lt; u &lt; len. The sampler's cached attention
 * ({@link TransformerKernel}) and the gradient's forward pass ({@link TransformerBackprop}) both
 * call {@link #BEST}, so a sampled completion's log-probs and the gradient's forward pass see the
 * same probabilities.
 *
 * <p>Computed as {@code exp((s - max s) * scale) / sum}: the maximum of the raw scores (scale is
 * positive), the exponential {@link ScalarCausalSoftmax#exp}, a float polynomial with float range
 * reduction (about one ulp; {@code Math.exp} is a call per element, which took 6% of tiny's
 * sampling and 2-3% of its gradient in {@code perf}), the normaliser summed in double
 * ({@link RowMath#sum}). Two implementations give the same bits ({@code CausalSoftmaxTest}): the
 * Vector API's, many positions at a time, and the plain loop's; each element goes through the same
 * correctly rounded operations (subtract, multiply, fused multiply-adds, integer steps on the bits)
 * in the same order, and neither the maximum nor the sum depends on the vector width.
 */
interface CausalSoftmax {
  /** The Vector API's implementation where this JVM runs it ({@link VectorModule}), else plain. */
  CausalSoftmax BEST = best();

  /** Softmax of {@code scale * s[o .. o + t]} in place; {@code s[o + t + 1 .. o + len)} zeroed. */
  void apply(float[] s, int o, int t, int len, float scale);

  private static CausalSoftmax best() {
    return VectorModule.unavailable() == null
        ? VectorModule.create(CausalSoftmax.class,
            "io.sparkrl.policy.transformer.VectorCausalSoftmax", new Class<?>[0])
        : new ScalarCausalSoftmax();
  }
}
