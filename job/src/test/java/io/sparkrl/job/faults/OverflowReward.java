package io.sparkrl.job.faults;

import io.sparkrl.reward.Reward;

/**
 * A hostile user reward: the largest finite double for every completion. It passes the reward
 * guard (it is finite), and with A = r the loss and gradient sums overflow to infinity.
 */
public class OverflowReward implements Reward {
  @Override
  public double score(String prompt, String completion, String reference) {
    return Double.MAX_VALUE;
  }
}
