package io.sparkrl.optim;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link MomentStep} four parameters at a time with the JDK's Vector API (the divisions and the
 * square root dominate the plain loop, and the CPU runs four of each at once); the same operations
 * in the same order as {@link ScalarMomentStep}, so the same bits. Loaded by name only where
 * {@link io.sparkrl.vector.VectorModule} finds the module.
 *
 * <p>The float parameters go to and from doubles in plain loops through a scratch block (exact one
 * way, rounded to nearest the other, as a vector conversion would): no float vector here, so the
 * sampler's float vectors keep the JIT's profile of FloatVector's methods to one width (see
 * {@code PanelProducts#WIDE}).
 */
final class VectorMomentStep implements MomentStep {
  private static final VectorSpecies<Double> D = DoubleVector.SPECIES_256;
  private static final int LANES = D.length();

  /**
   * Parameters per call of {@link #block}: a short method called many times is compiled by the
   * JIT within the first update (one long loop would run uncompiled Vector API code, allocating
   * per operation, until an on-stack replacement; measured: 560 ms instead of 4 ms at 1M).
   */
  private static final int BLOCK = 8192;

  /** A block of parameters in double, per thread. */
  private static final ThreadLocal<double[]> THETA =
      ThreadLocal.withInitial(() -> new double[BLOCK]);

  @Override
  public void apply(float[] parameters, double[] gradient, double[] m, double[] v, Scalars s) {
    int n = m.length;
    int bound = n - n % LANES;
    double[] theta = THETA.get();
    for (int from = 0; from < bound; from += BLOCK) {
      block(parameters, gradient, m, v, s, from, Math.min(bound, from + BLOCK), theta);
    }
    ScalarMomentStep.range(parameters, gradient, m, v, s, bound, n);
  }

  /** Parameters from .. to - 1, to - from a multiple of the lanes. */
  private static void block(float[] parameters, double[] gradient, double[] m, double[] v,
      Scalars s, int from, int to, double[] theta) {
    double scale = s.scale();
    double beta1 = s.beta1();
    double beta2 = s.beta2();
    double oneMinusBeta1 = 1.0 - beta1;
    double oneMinusBeta2 = 1.0 - beta2;
    double correction1 = s.correction1();
    double correction2 = s.correction2();
    double lr = s.lr();
    double decay = s.decay();
    double eps = s.eps();
    for (int i = from; i < to; i++) {
      theta[i - from] = parameters[i];
    }
    for (int i = from; i < to; i += LANES) {
      DoubleVector g = DoubleVector.fromArray(D, gradient, i).mul(scale);
      DoubleVector mi = DoubleVector.fromArray(D, m, i).mul(beta1).add(g.mul(oneMinusBeta1));
      DoubleVector vi = DoubleVector.fromArray(D, v, i).mul(beta2)
          .add(g.mul(oneMinusBeta2).mul(g));
      mi.intoArray(m, i);
      vi.intoArray(v, i);
      DoubleVector mHat = mi.div(correction1);
      DoubleVector vHat = vi.div(correction2);
      DoubleVector updated = DoubleVector.fromArray(D, theta, i - from).mul(decay)
          .sub(mHat.mul(lr).div(vHat.sqrt().add(eps)));
      updated.intoArray(theta, i - from);
    }
    for (int i = from; i < to; i++) {
      parameters[i] = (float) theta[i - from];
    }
  }
}
