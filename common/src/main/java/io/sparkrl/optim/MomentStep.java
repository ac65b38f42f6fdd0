package io.sparkrl.optim;

import io.sparkrl.vector.VectorModule;

/**
 * AdamW's per-parameter arithmetic over the whole vector, once the step's scalars are known:
 *
 * <pre>
 *   g = gradient[i] * scale
 *   m[i] = beta1 m[i] + (1 - beta1) g;   v[i] = beta2 v[i] + (1 - beta2) g g
 *   parameters[i] = (float) (theta decay - lr (m[i] / c1) / (sqrt(v[i] / c2) + eps))
 * </pre>
 *
 * in double, each operation rounded once in exactly this order. Two implementations give the
 * same bits ({@code MomentStepTest}): IEEE addition, multiplication, division and square root are
 * correctly rounded whether one value or four go through them, and neither fuses operations.
 */
interface MomentStep {
  /** The step's scalars: every parameter's update reads these and its own four values only. */
  record Scalars(double scale, double beta1, double beta2, double correction1,
      double correction2, double lr, double decay, double eps) {}

  void apply(float[] parameters, double[] gradient, double[] m, double[] v, Scalars s);

  /** The Vector API's implementation where this JVM runs it ({@link VectorModule}), else plain. */
  static MomentStep best() {
    return VectorModule.unavailable() == null
        ? VectorModule.create(MomentStep.class, "io.sparkrl.optim.VectorMomentStep",
            new Class<?>[0])
        : new ScalarMomentStep();
  }
}
