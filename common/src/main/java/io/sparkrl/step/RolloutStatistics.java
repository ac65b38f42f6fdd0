package io.sparkrl.step;

import java.io.Serializable;

/**
 * What a task saw of its completions, beyond rewards and gradients: sums, counts, minima and
 * maxima only, so that shards merge exactly whatever the partitioning. Nothing here feeds the
 * update; it is for the step's metrics.
 *
 * @param groups prompts (each with G completions)
 * @param zeroStdGroups prompts whose G rewards were all equal: under a group baseline their
 *     advantages are 0 and they teach nothing
 * @param minLength fewest completion tokens of one completion (EOS included); MAX_VALUE when empty
 * @param maxLength most completion tokens of one completion; 0 when empty
 * @param truncated completions cut at max-new-tokens (no EOS)
 * @param advantageSum Σ A_i, for estimators whose advantage is known in the task (else 0)
 * @param advantageSumOfSquares Σ A_i², same condition
 * @param functionScoreSums per reward function, in configuration order: Σ of its unweighted score
 * @param negLogProbSum Σ over completion tokens of −log π(a_t): the sampled-token entropy estimate
 * @param klSum Σ over completion tokens of the configured KL estimator to the reference (0 when off)
 * @param tokens completion tokens sampled (EOS included), whether or not the gradient used them
 * @param droppedGroups groups left out of the gradient ({@code advantage.drop-uniform-groups})
 */
public record RolloutStatistics(long groups, long zeroStdGroups, int minLength, int maxLength,
    long truncated, double advantageSum, double advantageSumOfSquares, double[] functionScoreSums,
    double negLogProbSum, double klSum, long tokens, long droppedGroups) implements Serializable {

  public static final RolloutStatistics EMPTY =
      new RolloutStatistics(0, 0, Integer.MAX_VALUE, 0, 0, 0, 0, new double[0], 0, 0, 0, 0);

  /** This shard's figures and a later one's, in that order. */
  public RolloutStatistics plus(RolloutStatistics later) {
    double[] sums = addScores(functionScoreSums, later.functionScoreSums);
    return new RolloutStatistics(groups + later.groups, zeroStdGroups + later.zeroStdGroups,
        Math.min(minLength, later.minLength), Math.max(maxLength, later.maxLength),
        truncated + later.truncated, advantageSum + later.advantageSum,
        advantageSumOfSquares + later.advantageSumOfSquares, sums,
        negLogProbSum + later.negLogProbSum, klSum + later.klSum, tokens + later.tokens,
        droppedGroups + later.droppedGroups);
  }

  /** Element-wise {@code a + b}; an empty shard's array (length 0) adds nothing. */
  private static double[] addScores(double[] a, double[] b) {
    if (a.length == 0 || b.length == 0) {
      return (a.length == 0 ? b : a).clone();
    }
    if (a.length != b.length) {
      throw new IllegalArgumentException("reward function counts differ: " + a.length + " vs " + b.length);
    }
    double[] sums = new double[a.length];
    for (int k = 0; k < sums.length; k++) {
      sums[k] = a[k] + b[k];
    }
    return sums;
  }
}
