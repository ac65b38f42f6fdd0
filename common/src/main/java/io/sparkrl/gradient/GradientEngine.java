package io.sparkrl.gradient;

/** A policy's backward pass over a batch of sequences: what a step's gradient needs. */
public interface GradientEngine {
  /**
   * d/d(theta) of {@code sum_i [ -A_i sum_t log pi(a_t^i) + beta sum_t k_t - alpha sum_t H_t ]}
   * over completion tokens only, in the policy's flat parameter order.
   *
   * @param regularizer the loss whose KL/entropy terms to include, or null for none
   * @param referenceLogProbs log pi_ref per completion token, when the KL term is on
   */
  GradientSum sum(SequenceBatch batch, double[] advantages, LossSettings regularizer,
      double[][] referenceLogProbs);

  /** log pi(a) of every completion token, [i][k], from a full forward pass. */
  double[][] completionLogProbs(SequenceBatch batch);
}
