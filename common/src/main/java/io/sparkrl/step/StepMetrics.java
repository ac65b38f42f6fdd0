package io.sparkrl.step;

import java.io.Serializable;

/**
 * What one step measured. Reward statistics are over the step's completions; {@code loss} is the
 * summed loss divided by the aggregation count; task timings are summed over the step's tasks.
 * {@code rollout} holds the figures that only watch the run (zero-std groups, lengths, KL, ...);
 * {@code skippedUpdates} counts the updates skipped so far in the run (this one included);
 * {@code nonFinite} says what was NaN or infinite when this step's update was skipped, else null.
 * {@code rewardFailures} (throws, NaN/infinity) and {@code rewardTimeouts} (calls abandoned after
 * {@code reward.timeout}) count the function scores replaced by the fallback.
 */
public record StepMetrics(long step, long prompts, long sequences, long completionTokens,
    double rewardMean, double rewardStd, double loss, double gradNorm, double clippedGradNorm,
    double learningRate, double meanCompletionLength, double finishedFraction, long rewardFailures,
    double emaBaseline, long sampleNanos, long rewardNanos, long gradientNanos,
    RolloutFigures rollout, long skippedUpdates, String nonFinite, long rewardTimeouts)
    implements Serializable {
  /** Whether this step's update was skipped (parameters unchanged). */
  public boolean updateSkipped() {
    return nonFinite != null;
  }
}
