package io.sparkrl.reward;

/**
 * A reward call that ran past its time limit and stopped itself (a built-in bounded by its own
 * clock, such as {@code format}'s regex on {@link DeadlineChars}). {@link WeightedRewards} counts
 * it as a timeout, like a guarded call it had to abandon.
 */
public final class RewardTimeoutException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public RewardTimeoutException(String message) {
    super(message, null, false, false);
  }
}
