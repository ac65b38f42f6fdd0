package io.sparkrl.policy.transformer;

import static io.sparkrl.policy.transformer.ScalarCausalSoftmax.LN2_HI;
import static io.sparkrl.policy.transformer.ScalarCausalSoftmax.LN2_LO;
import static io.sparkrl.policy.transformer.ScalarCausalSoftmax.LOG2E;
import static io.sparkrl.policy.transformer.ScalarCausalSoftmax.LOWEST;
import static io.sparkrl.policy.transformer.ScalarCausalSoftmax.ROUNDER;
import static io.sparkrl.policy.transformer.ScalarCausalSoftmax.ROUNDER_BITS;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link CausalSoftmax} with the JDK's Vector API: maximum, exponential and normalisation a vector
 * of positions at a time (a last partial vector's maximum and exponentials as a vector overlapping
 * the one before, its normalisation position by position); rows shorter than a vector by
 * {@link ScalarCausalSoftmax}. Each lane runs {@link ScalarCausalSoftmax#exp}'s operations, so
 * the same bits. Loaded by name only where {@link io.sparkrl.vector.VectorModule} finds the
 * module; its float vectors are the width {@link PanelProducts} runs (one width per JVM, see
 * {@code PanelProducts#WIDE}).
 */
final class VectorCausalSoftmax implements CausalSoftmax {
  private static final VectorSpecies<Float> F =
      PanelProducts.WIDE ? FloatVector.SPECIES_512 : FloatVector.SPECIES_256;
  private static final int LANES = F.length();
  private static final ScalarCausalSoftmax SCALAR = new ScalarCausalSoftmax();

  @Override
  public void apply(float[] s, int o, int t, int len, float scale) {
    int count = t + 1;
    if (count < LANES) {
      SCALAR.apply(s, o, t, len, scale);
      return;
    }
    int bound = count - count % LANES;
    // the last LANES positions as one more vector, overlapping the one before: the maximum does
    // not mind positions seen twice, and the exponentials are read before the loop overwrites
    // them and stored after it, the same floats twice
    int last = o + count - LANES;
    FloatVector maxima = FloatVector.fromArray(F, s, last);
    for (int u = 0; u < bound; u += LANES) {
      maxima = maxima.max(FloatVector.fromArray(F, s, o + u));
    }
    float max = maxima.reduceLanes(VectorOperators.MAX);
    FloatVector tail = exp(FloatVector.fromArray(F, s, last).sub(max).mul(scale));
    for (int u = 0; u < bound; u += LANES) {
      exp(FloatVector.fromArray(F, s, o + u).sub(max).mul(scale)).intoArray(s, o + u);
    }
    tail.intoArray(s, last);
    float inv = (float) (1 / RowMath.sum(s, o, count));
    for (int u = 0; u < bound; u += LANES) {
      FloatVector.fromArray(F, s, o + u).mul(inv).intoArray(s, o + u);
    }
    for (int u = bound; u < count; u++) {
      s[o + u] *= inv;
    }
    Arrays.fill(s, o + count, o + len, 0f);
  }

  /** {@link ScalarCausalSoftmax#exp} on every lane. */
  private static FloatVector exp(FloatVector v) {
    FloatVector x = v.max(LOWEST);
    FloatVector t = x.fma(FloatVector.broadcast(F, LOG2E), FloatVector.broadcast(F, ROUNDER));
    FloatVector n = t.sub(ROUNDER);
    FloatVector r = n.fma(FloatVector.broadcast(F, -LN2_HI), x);
    r = n.fma(FloatVector.broadcast(F, -LN2_LO), r);
    FloatVector p = r.fma(FloatVector.broadcast(F, ScalarCausalSoftmax.P0),
        FloatVector.broadcast(F, ScalarCausalSoftmax.P1));
    p = p.fma(r, FloatVector.broadcast(F, ScalarCausalSoftmax.P2));
    p = p.fma(r, FloatVector.broadcast(F, ScalarCausalSoftmax.P3));
    p = p.fma(r, FloatVector.broadcast(F, ScalarCausalSoftmax.P4));
    p = p.fma(r, FloatVector.broadcast(F, ScalarCausalSoftmax.P5));
    p = p.fma(r.mul(r), r.add(1f));
    return p.mul(t.reinterpretAsInts().sub(ROUNDER_BITS - 127).lanewise(VectorOperators.LSHL, 23)
        .reinterpretAsFloats());
  }
}
