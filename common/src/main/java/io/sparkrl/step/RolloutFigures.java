package io.sparkrl.step;

import io.sparkrl.advantage.LinearAdvantage;
import io.sparkrl.advantage.RewardStatistics;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The step's rollout figures, divided once on the driver from the merged sums.
 *
 * @param functionMeans each reward function's mean unweighted score, in configuration order
 * @param zeroStdFraction share of prompts whose G rewards were all equal
 * @param advantageStd Bessel standard deviation of the advantages the update used
 * @param truncatedFraction share of completions cut at max-new-tokens
 * @param klMean mean per completion token of the KL estimator to the reference; null when off
 * @param entropy mean per completion token of −log π(a_t) over the sampled tokens: the Monte-Carlo
 *     estimate of the policy's entropy (exact in expectation at temperature 1)
 * @param droppedGroups prompt groups left out of the gradient for equal rewards
 *     ({@code advantage.drop-uniform-groups})
 */
public record RolloutFigures(double rewardMin, double rewardMax, Map<String, Double> functionMeans,
    double zeroStdFraction, double advantageMean, double advantageStd, int minLength,
    int maxLength, double truncatedFraction, Double klMean, double entropy, long droppedGroups)
    implements Serializable {

  public RolloutFigures {
    functionMeans = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(functionMeans));
  }

  /**
   * @param batchAdvantage the advantage of an estimator that needs the whole batch (then the
   *     tasks could not sum advantages), or null when the tasks summed them
   * @param functionNames the reward functions, in configuration order
   * @param klOn whether the KL term to the reference was computed
   */
  public static RolloutFigures of(ShardResult merged, LinearAdvantage batchAdvantage,
      List<String> functionNames, boolean klOn) {
    RewardStatistics rewards = merged.rewards();
    RolloutStatistics r = merged.rollout();
    long n = rewards.count();
    long tokens = r.tokens(); // all sampled tokens: dropped groups were sampled too
    Map<String, Double> means = new LinkedHashMap<>();
    for (int k = 0; k < functionNames.size() && k < r.functionScoreSums().length; k++) {
      means.put(functionNames.get(k), r.functionScoreSums()[k] / n);
    }
    double advantageMean;
    double advantageStd;
    if (batchAdvantage != null) {
      advantageMean = batchAdvantage.apply(rewards.mean());
      advantageStd = Math.abs(batchAdvantage.scale()) * rewards.besselStd();
    } else {
      advantageMean = r.advantageSum() / n;
      advantageStd = n < 2 ? 0.0 : Math.sqrt(Math.max(0.0,
          (r.advantageSumOfSquares() - n * advantageMean * advantageMean) / (n - 1)));
    }
    return new RolloutFigures(rewards.min(), rewards.max(), means,
        r.groups() == 0 ? 0.0 : (double) r.zeroStdGroups() / r.groups(), advantageMean,
        advantageStd, r.minLength(), r.maxLength(), (double) r.truncated() / n,
        klOn ? r.klSum() / tokens : null, r.negLogProbSum() / tokens, r.droppedGroups());
  }
}
