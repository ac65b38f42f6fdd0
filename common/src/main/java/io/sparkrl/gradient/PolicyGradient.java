package io.sparkrl.gradient;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * The REINFORCE gradient SUM of a batch: d/d(theta) of
 * {@code sum_i [ -A_i sum_t log pi(a_t^i) + beta sum_t k_t - alpha sum_t H_t ]} over completion
 * tokens only, by one DL4J backward pass with {@link ReinforceLoss}.
 */
public final class PolicyGradient {
  private PolicyGradient() {}

  /**
   * @param regularizer the loss whose KL/entropy terms to include, or null for none
   * @param referenceLogProbs log pi_ref per completion token, when the KL term is on
   */
  public static GradientSum sum(MultiLayerNetwork net, SequenceBatch batch, double[] advantages,
      LossSettings regularizer, double[][] referenceLogProbs) {
    net.setInput(batch.features());
    net.setLabels(batch.labels(advantages, regularizer, referenceLogProbs));
    net.computeGradientAndScore();
    double[] gradient = net.gradient().gradient().toDoubleVector();
    // DL4J reports the output layer's summed loss divided by the minibatch size.
    double lossSum = net.score() * batch.size();
    net.clear();
    return new GradientSum(gradient, batch.size(), batch.completionTokens(), lossSum);
  }
}
