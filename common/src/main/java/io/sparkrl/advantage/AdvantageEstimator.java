package io.sparkrl.advantage;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How rewards become advantages (the baseline {@code b} in {@code A = r − b}; docs/algorithm.md, section 2).
 *
 * <p>Rewards of a batch are laid out prompt-major: {@code rewards[p * G + j]} is completion j of
 * prompt p, G the group size. The estimators fall in two kinds, which decides how the Spark step is
 * organised:
 *
 * <ul>
 *   <li>groupwise ({@link #isGroupwise()}): the advantage of a completion depends only on its own
 *       prompt's group, which a task holds whole, so the task computes advantages itself
 *       ({@link #groupAdvantages});
 *   <li>linear ({@link #linear}): {@code A = scale · r + offset}, where scale and offset may depend
 *       on the whole batch ({@link #needsBatchStatistics()}); tasks return {@code Σ r·∇} and
 *       {@code Σ ∇} and the driver combines them exactly with the merged
 *       {@link RewardStatistics}.
 * </ul>
 *
 * <p>A group or batch whose rewards are all equal carries no signal and gets advantages of exactly
 * 0, rather than the rounding noise of {@code r − sum/G} (or 0/0 when epsilon is 0).
 */
public enum AdvantageEstimator {
  /** {@code A = r}. */
  NONE("none"),
  /** {@code A = r − b}, b a moving average of past batch means ({@link EmaBaseline}). */
  EMA("ema"),
  /** {@code A = r − mean(batch)}. */
  BATCH_MEAN("batch-mean"),
  /** {@code A = r − mean(group)}. */
  GROUP_MEAN("group-mean"),
  /** {@code A = r − mean(the other G−1 of the group)}: unbiased, the baseline excludes r itself. */
  RLOO("rloo"),
  /** {@code A = (r − mean(group)) / (std(group) + ε)}, Bessel std. */
  GRPO("grpo"),
  /** {@code A = (r − mean(batch)) / (std(batch) + ε)}, Bessel std (REINFORCE++ style). */
  WHITEN("whiten");

  private final String configName;

  AdvantageEstimator(String configName) {
    this.configName = configName;
  }

  /** The kebab-case name used in {@code sparkrl.advantage.estimator}. */
  public String configName() {
    return configName;
  }

  /** @throws IllegalArgumentException listing the valid names */
  public static AdvantageEstimator parse(String configName) {
    String wanted = configName.trim().toLowerCase(Locale.ROOT);
    for (AdvantageEstimator e : values()) {
      if (e.configName.equals(wanted)) {
        return e;
      }
    }
    throw new IllegalArgumentException("unknown advantage estimator \"" + configName
        + "\"; expected one of " + Arrays.stream(values()).map(AdvantageEstimator::configName)
            .collect(Collectors.joining(", ")));
  }

  /** Whether the advantage depends on statistics of the whole batch, across Spark partitions. */
  public boolean needsBatchStatistics() {
    return this == BATCH_MEAN || this == WHITEN;
  }

  /** Whether the advantage depends only on the completion's own group of G. */
  public boolean isGroupwise() {
    return this == GROUP_MEAN || this == RLOO || this == GRPO;
  }

  /**
   * The smallest G the estimator is defined for: rloo needs another sample to leave out, grpo a
   * Bessel std. group-mean with G = 1 is defined (all zeros) though useless.
   */
  public int minGroupSize() {
    return this == RLOO || this == GRPO ? 2 : 1;
  }

  /**
   * Advantages of whole groups, same layout as the rewards.
   *
   * @param rewards {@code (P·G)} prompt-major
   * @param epsilon added to the group std by grpo, {@code >= 0}
   * @throws IllegalStateException for an estimator that is not groupwise
   * @throws IllegalArgumentException when the rewards are not whole groups or G is too small
   */
  public double[] groupAdvantages(double[] rewards, int groupSize, double epsilon) {
    if (!isGroupwise()) {
      throw new IllegalStateException("estimator " + configName + " is not groupwise; use linear()");
    }
    checkLayout(rewards.length, groupSize);
    checkEpsilon(epsilon);
    double[] advantages = new double[rewards.length];
    for (int start = 0; start < rewards.length; start += groupSize) {
      group(rewards, start, groupSize, epsilon, advantages);
    }
    return advantages;
  }

  /** Fills advantages[start, start+G) for one group; leaves an all-equal group at 0. */
  private void group(double[] rewards, int start, int g, double epsilon, double[] advantages) {
    double sum = 0.0;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (int j = start; j < start + g; j++) {
      sum += rewards[j];
      min = Math.min(min, rewards[j]);
      max = Math.max(max, rewards[j]);
    }
    if (min == max) {
      return;
    }
    double mean = sum / g;
    switch (this) {
      case GROUP_MEAN -> {
        for (int j = start; j < start + g; j++) {
          advantages[j] = rewards[j] - mean;
        }
      }
      case RLOO -> {
        for (int j = start; j < start + g; j++) {
          advantages[j] = rewards[j] - (sum - rewards[j]) / (g - 1);
        }
      }
      case GRPO -> {
        // Two passes: the group is at hand, so no need for the less accurate sum-of-squares form.
        double squares = 0.0;
        for (int j = start; j < start + g; j++) {
          double d = rewards[j] - mean;
          squares += d * d;
        }
        double denominator = Math.sqrt(squares / (g - 1)) + epsilon;
        for (int j = start; j < start + g; j++) {
          advantages[j] = (rewards[j] - mean) / denominator;
        }
      }
      default -> throw new IllegalStateException("not groupwise: " + this);
    }
  }

  /**
   * The affine advantage of a non-groupwise estimator.
   *
   * @param batch statistics of the whole batch (merged over partitions); read by batch-mean and
   *     whiten only
   * @param emaBaseline the {@link EmaBaseline#baseline()} of past batches; read by ema only
   * @param epsilon added to the batch std by whiten, {@code >= 0}
   * @throws IllegalStateException for a groupwise estimator
   */
  public LinearAdvantage linear(RewardStatistics batch, double emaBaseline, double epsilon) {
    checkEpsilon(epsilon);
    return switch (this) {
      case NONE -> LinearAdvantage.IDENTITY;
      case EMA -> new LinearAdvantage(1.0, -emaBaseline);
      case BATCH_MEAN -> new LinearAdvantage(1.0, -batch.mean());
      case WHITEN -> {
        double denominator = batch.besselStd() + epsilon;
        // std 0 and epsilon 0: every reward equals the mean, so every advantage is 0 (not 0/0).
        yield denominator == 0.0
            ? new LinearAdvantage(0.0, 0.0)
            : new LinearAdvantage(1.0 / denominator, -batch.mean() / denominator);
      }
      case GROUP_MEAN, RLOO, GRPO -> throw new IllegalStateException(
          "estimator " + configName + " is groupwise; use groupAdvantages()");
    };
  }

  /**
   * The advantages of a whole batch in one place: the reference the distributed computation must
   * reproduce.
   *
   * @param rewards {@code (P·G)} prompt-major
   */
  public double[] advantages(double[] rewards, int groupSize, double emaBaseline, double epsilon) {
    if (isGroupwise()) {
      return groupAdvantages(rewards, groupSize, epsilon);
    }
    checkLayout(rewards.length, groupSize);
    LinearAdvantage a = linear(RewardStatistics.of(rewards), emaBaseline, epsilon);
    double[] advantages = new double[rewards.length];
    for (int i = 0; i < rewards.length; i++) {
      advantages[i] = a.apply(rewards[i]);
    }
    return advantages;
  }

  private void checkLayout(int n, int groupSize) {
    if (groupSize < minGroupSize()) {
      throw new IllegalArgumentException("estimator " + configName + " needs at least "
          + minGroupSize() + " completions per prompt, got G = " + groupSize);
    }
    if (n % groupSize != 0) {
      throw new IllegalArgumentException(
          n + " rewards are not whole groups of G = " + groupSize + " completions per prompt");
    }
  }

  private static void checkEpsilon(double epsilon) {
    if (!(epsilon >= 0.0 && Double.isFinite(epsilon))) {
      throw new IllegalArgumentException("epsilon must be finite and >= 0, was " + epsilon);
    }
  }
}
