package io.sparkrl.reward;

import java.io.Serializable;

/**
 * A rule-based reward: the whole signal REINFORCE gets for one completion, given only at the end of
 * the sequence. Serializable because the configured functions travel to Spark executors inside
 * {@link WeightedRewards}; implementations should be pure so that re-scoring a rollout (a retried
 * task) gives the same number. A user class runs under {@code reward.timeout}: a call that has
 * not returned by then is abandoned and scores the fallback ({@link WeightedRewards}).
 */
@FunctionalInterface
public interface Reward extends Serializable {

  /**
   * @param prompt the prompt the completion answers
   * @param completion the generated text, special tokens (BOS/EOS/PAD) already removed
   * @param reference the corpus's reference answer, e.g. {@code "19"}
   * @return the reward; {@link WeightedRewards} replaces NaN or infinity by the fallback
   */
  double score(String prompt, String completion, String reference);
}
