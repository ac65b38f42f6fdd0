package io.sparkrl.job.cluster;

import io.sparkrl.reward.Reward;

/**
 * A length reward that takes {@value #MILLIS} ms per completion, so a step's tasks run long enough
 * for a test to kill an executor in the middle of one. The score does not depend on the delay.
 */
public class SlowReward implements Reward {
  static final long MILLIS = 40;

  @Override
  public double score(String prompt, String completion, String reference) {
    try {
      Thread.sleep(MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return Math.min(completion.length(), 8) / 8.0;
  }
}
