package io.sparkrl.gradient;

/**
 * The loss of one completion token and its gradient with respect to the output pre-activations,
 * in double precision: the one definition both backward passes ({@link ReinforceLoss} for DL4J,
 * {@link io.sparkrl.policy.lstm.LstmBackprop}, the transformer engines) use.
 *
 * <p>With p the softmax of the pre-activations z and e_a the one-hot of the sampled token a, the
 * row's loss is {@code -A log p(a) + beta k(log p(a), log p_ref(a)) - alpha H(p)} and its gradient
 * {@code dL/dz = (beta*kappa - A) (e_a - p) + alpha p (log p + H)}, kappa = 1 for k1
 * ({@code log p - log p_ref}) and 1 - rho for k3 ({@code rho - log rho - 1}, rho = p_ref/p).
 */
public final class TokenLoss {
  private TokenLoss() {}

  /**
   * @param z the row's pre-activations (V); overwritten by log p
   * @param grad receives dL/dz at {@code [offset, offset + V)}
   * @return the row's loss
   */
  public static double row(double[] z, int target, double advantage, double klWeight,
      double referenceLogProb, boolean k3, double entropyWeight, double[] grad, int offset) {
    int v = z.length;
    logSoftmax(z, z);
    double lp = z[target];
    double score = -advantage * lp;
    double coefficient = -advantage; // of (e_a - p)
    if (klWeight != 0) {
      double logRatio = referenceLogProb - lp; // log rho
      if (!k3) {
        score += klWeight * (-logRatio);
        coefficient += klWeight;
      } else {
        double rho = Math.exp(logRatio);
        score += klWeight * (rho - logRatio - 1);
        coefficient += klWeight * (1 - rho);
      }
    }
    double entropy = 0;
    if (entropyWeight != 0) {
      for (int j = 0; j < v; j++) {
        entropy -= Math.exp(z[j]) * z[j];
      }
      score -= entropyWeight * entropy;
    }
    for (int j = 0; j < v; j++) {
      double p = Math.exp(z[j]);
      grad[offset + j] = -coefficient * p
          + (entropyWeight != 0 ? entropyWeight * p * (z[j] + entropy) : 0);
    }
    grad[offset + target] += coefficient;
    return score;
  }

  /** {@code out = z - log(sum exp z)}; {@code out} may be {@code z}. */
  public static void logSoftmax(double[] z, double[] out) {
    double max = Double.NEGATIVE_INFINITY;
    for (double x : z) {
      max = Math.max(max, x);
    }
    double sum = 0;
    for (double x : z) {
      sum += Math.exp(x - max);
    }
    double log = max + Math.log(sum);
    for (int j = 0; j < z.length; j++) {
      out[j] = z[j] - log;
    }
  }
}
