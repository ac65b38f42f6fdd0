package io.sparkrl.policy.transformer;

import static io.sparkrl.policy.transformer.ScalarCausalSoftmax.LN2_HI;
import static io.sparkrl.policy.transformer.ScalarCausalSoftmax.LN2_LO;
import static io.sparkrl.policy.transformer.ScalarCausalSoftmax.LOG2E;
import static io.sparkrl.policy.transformer.ScalarCausalSoftmax.LOWEST;
import static io.sparkrl.policy.transformer.ScalarCausalSoftmax.ROUNDER;
import static io.sparkrl.policy.transformer.ScalarCausalSoftmax.ROUNDER_BITS;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link CausalSoftmax} with the JDK's Vector API: scaling, maximum, exponential and
 * normalisation a vector of positions at a time, the last partial vector by
 * {@link ScalarCausalSoftmax}'s operations; the normaliser's double sum in position order. Each
 * lane runs the scalar {@link ScalarCausalSoftmax#exp}'s operations, so the same bits. Loaded by
 * name only where {@link io.sparkrl.vector.VectorModule} finds the module; its float vectors are
 * the width {@link PanelProducts} runs (one width per JVM, see {@code PanelProducts#WIDE}).
 */
final class VectorCausalSoftmax implements CausalSoftmax {
  private static final VectorSpecies<Float> F =
      PanelProducts.WIDE ? FloatVector.SPECIES_512 : FloatVector.SPECIES_256;
  private static final int LANES = F.length();

  @Override
  public void apply(float[] s, int o, int t, int len, float scale) {
    int count = t + 1;
    int bound = count - count % LANES;
    FloatVector maxima = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
    for (int u = 0; u < bound; u += LANES) {
      FloatVector x = FloatVector.fromArray(F, s, o + u).mul(scale);
      x.intoArray(s, o + u);
      maxima = maxima.max(x);
    }
    float max = maxima.reduceLanes(VectorOperators.MAX);
    for (int u = bound; u < count; u++) {
      s[o + u] *= scale;
      max = Math.max(max, s[o + u]);
    }
    for (int u = 0; u < bound; u += LANES) {
      exp(FloatVector.fromArray(F, s, o + u).sub(max)).intoArray(s, o + u);
    }
    for (int u = bound; u < count; u++) {
      s[o + u] = ScalarCausalSoftmax.exp(s[o + u] - max);
    }
    float inv = ScalarCausalSoftmax.inverseSum(s, o, t);
    for (int u = 0; u < bound; u += LANES) {
      FloatVector.fromArray(F, s, o + u).mul(inv).intoArray(s, o + u);
    }
    for (int u = bound; u < count; u++) {
      s[o + u] *= inv;
    }
    Arrays.fill(s, o + count, o + len, 0f);
  }

  /** {@link ScalarCausalSoftmax#exp} on every lane. */
  private static FloatVector exp(FloatVector x) {
    VectorMask<Float> under = x.lt(LOWEST);
    FloatVector t = x.fma(LOG2E, ROUNDER);
    FloatVector n = t.sub(ROUNDER);
    FloatVector r = n.fma(FloatVector.broadcast(F, -LN2_HI), x);
    r = n.fma(FloatVector.broadcast(F, -LN2_LO), r);
    FloatVector p = r.fma(ScalarCausalSoftmax.P0, ScalarCausalSoftmax.P1);
    p = p.fma(r, FloatVector.broadcast(F, ScalarCausalSoftmax.P2));
    p = p.fma(r, FloatVector.broadcast(F, ScalarCausalSoftmax.P3));
    p = p.fma(r, FloatVector.broadcast(F, ScalarCausalSoftmax.P4));
    p = p.fma(r, FloatVector.broadcast(F, ScalarCausalSoftmax.P5));
    p = p.fma(r.mul(r), r.add(1f));
    FloatVector power = t.reinterpretAsInts().sub(ROUNDER_BITS - 127)
        .lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
    return p.mul(power).blend(0f, under);
  }
}
