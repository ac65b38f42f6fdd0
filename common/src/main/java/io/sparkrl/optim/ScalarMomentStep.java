package io.sparkrl.optim;

/** {@link MomentStep} one parameter at a time: any JVM. */
final class ScalarMomentStep implements MomentStep {
  @Override
  public void apply(float[] parameters, double[] gradient, double[] m, double[] v, Scalars s) {
    range(parameters, gradient, m, v, s, 0, m.length);
  }

  /** The update of parameters from (inclusive) to to (exclusive). */
  static void range(float[] parameters, double[] gradient, double[] m, double[] v, Scalars s,
      int from, int to) {
    double scale = s.scale();
    double beta1 = s.beta1();
    double beta2 = s.beta2();
    double correction1 = s.correction1();
    double correction2 = s.correction2();
    double lr = s.lr();
    double decay = s.decay();
    double eps = s.eps();
    for (int i = from; i < to; i++) {
      double g = gradient[i] * scale;
      m[i] = beta1 * m[i] + (1.0 - beta1) * g;
      v[i] = beta2 * v[i] + (1.0 - beta2) * g * g;
      double mHat = m[i] / correction1;
      double vHat = v[i] / correction2;
      double theta = parameters[i];
      parameters[i] = (float) (theta * decay - lr * mHat / (Math.sqrt(vHat) + eps));
    }
  }
}
