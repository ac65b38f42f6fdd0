package io.sparkrl.advantage;

import java.io.Serializable;

/**
 * Count, sum and sum of squares of a batch's rewards: enough for its mean and standard deviation,
 * and mergeable exactly across Spark partitions (in any order, up to floating-point rounding of the
 * sums). Minimum and maximum ride along so that a batch of equal rewards has a standard deviation
 * of exactly 0, which the sum-of-squares formula alone only approximates.
 */
public final class RewardStatistics implements Serializable {
  private static final long serialVersionUID = 1L;

  /** No rewards: the neutral element of {@link #plus}. */
  public static final RewardStatistics EMPTY =
      new RewardStatistics(0, 0.0, 0.0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY);

  private final long count;
  private final double sum;
  private final double sumOfSquares;
  private final double min;
  private final double max;

  private RewardStatistics(long count, double sum, double sumOfSquares, double min, double max) {
    this.count = count;
    this.sum = sum;
    this.sumOfSquares = sumOfSquares;
    this.min = min;
    this.max = max;
  }

  /** @throws IllegalArgumentException for a NaN or infinite reward, which would poison the batch */
  public static RewardStatistics of(double[] rewards) {
    double sum = 0.0;
    double sumOfSquares = 0.0;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < rewards.length; i++) {
      double r = rewards[i];
      if (!Double.isFinite(r)) {
        throw new IllegalArgumentException("reward " + i + " is not finite: " + r);
      }
      sum += r;
      sumOfSquares += r * r;
      min = Math.min(min, r);
      max = Math.max(max, r);
    }
    return new RewardStatistics(rewards.length, sum, sumOfSquares, min, max);
  }

  public RewardStatistics plus(RewardStatistics other) {
    return new RewardStatistics(
        count + other.count,
        sum + other.sum,
        sumOfSquares + other.sumOfSquares,
        Math.min(min, other.min),
        Math.max(max, other.max));
  }

  public long count() {
    return count;
  }

  public double sum() {
    return sum;
  }

  public double sumOfSquares() {
    return sumOfSquares;
  }

  /** The smallest reward; +infinity for an empty batch. */
  public double min() {
    return min;
  }

  /** The largest reward; −infinity for an empty batch. */
  public double max() {
    return max;
  }

  /** 0 for an empty batch, so that an empty partition shifts nothing. */
  public double mean() {
    return count == 0 ? 0.0 : sum / count;
  }

  /**
   * The sample standard deviation (divides by n − 1), the one the estimators' formulas use; 0 when
   * n &lt; 2 or all rewards are equal. Clamped at 0 because the one-pass formula can round below.
   */
  public double besselStd() {
    if (count < 2 || min == max) {
      return 0.0;
    }
    double mean = mean();
    return Math.sqrt(Math.max(0.0, (sumOfSquares - count * mean * mean) / (count - 1)));
  }

  /** The population standard deviation (divides by n), for reports; 0 when n &lt; 1 or all equal. */
  public double populationStd() {
    if (count < 1 || min == max) {
      return 0.0;
    }
    double mean = mean();
    return Math.sqrt(Math.max(0.0, (sumOfSquares - count * mean * mean) / count));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RewardStatistics s
        && count == s.count
        && Double.compare(sum, s.sum) == 0
        && Double.compare(sumOfSquares, s.sumOfSquares) == 0
        && Double.compare(min, s.min) == 0
        && Double.compare(max, s.max) == 0;
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(count, sum, sumOfSquares, min, max);
  }

  @Override
  public String toString() {
    return "RewardStatistics[n=" + count + ", mean=" + mean() + ", std=" + besselStd() + "]";
  }
}
