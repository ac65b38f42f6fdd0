package io.sparkrl.step;

import java.io.Serializable;

/**
 * What one step measured. Reward statistics are over the step's completions; {@code loss} is the
 * summed loss divided by the aggregation count; task timings are summed over the step's tasks.
 * {@code rollout} holds the figures that only watch the run (zero-std groups, lengths, KL, ...);
 * {@code skipped} is true when the update was not applied (the parameters did not move).
 */
public record StepMetrics(long step, long prompts, long sequences, long completionTokens,
    double rewardMean, double rewardStd, double loss, double gradNorm, double clippedGradNorm,
    double learningRate, double meanCompletionLength, double finishedFraction, long rewardFailures,
    double emaBaseline, long sampleNanos, long rewardNanos, long gradientNanos,
    RolloutFigures rollout, boolean skipped) implements Serializable {}
