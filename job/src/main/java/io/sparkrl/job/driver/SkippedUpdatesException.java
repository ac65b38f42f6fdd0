package io.sparkrl.job.driver;

/**
 * The run stopped because {@code sparkrl.trainer.max-consecutive-skipped-steps} updates in a row
 * had a NaN or infinite loss or gradient: training is not making progress, and going on would
 * only burn the cluster. {@code Main} exits with its own code for it.
 */
public final class SkippedUpdatesException extends RuntimeException {
  public SkippedUpdatesException(long step, int consecutive, String lastProblem) {
    super(consecutive + " consecutive updates skipped for non-finite values, the last at step "
        + step + " (" + lastProblem + "); stopping as sparkrl.trainer.max-consecutive-skipped-steps = "
        + consecutive + " says. Check the rewards (a huge or unbounded reward overflows the "
        + "gradient) and the learning rate");
  }
}
