package io.sparkrl.step;

import io.sparkrl.gradient.LossSettings;
import io.sparkrl.sampling.Completion;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * A task's completions seen for the metrics and the completions log: the {@link
 * RolloutStatistics} of all of them and the whole groups of the lowest prompt ids. Reads what the
 * step computed; changes nothing the update uses.
 *
 * <p>Arrays are indexed by completion, {@code i = prompt · G + sample} (the sampler's order).
 */
final class RolloutObservation {
  private final List<PromptRecord> prompts;
  private final List<String> texts;
  private final List<Completion> completions;
  private final double[] rewards;
  private final double[][] functionScores;
  private final double[] advantages;
  private final int groupSize;

  /**
   * @param advantages the advantages the gradient used, or null when only the driver knows them
   */
  RolloutObservation(List<PromptRecord> prompts, List<String> texts, List<Completion> completions,
      double[] rewards, double[][] functionScores, double[] advantages, int groupSize) {
    this.prompts = prompts;
    this.texts = texts;
    this.completions = completions;
    this.rewards = rewards;
    this.functionScores = functionScores;
    this.advantages = advantages;
    this.groupSize = groupSize;
  }

  /**
   * @param referenceLogProbs log π_ref per completion token, or null when the KL term is off
   */
  RolloutStatistics statistics(double[][] referenceLogProbs, LossSettings.KlEstimator kl,
      long droppedGroups) {
    long zeroStd = 0;
    for (int p = 0; p < prompts.size(); p++) {
      boolean allEqual = true;
      for (int j = 1; j < groupSize; j++) {
        allEqual &= rewards[p * groupSize + j] == rewards[p * groupSize];
      }
      zeroStd += allEqual ? 1 : 0;
    }
    int minLength = Integer.MAX_VALUE;
    int maxLength = 0;
    long truncated = 0;
    double negLogProb = 0;
    double klSum = 0;
    double advantageSum = 0;
    double advantageSquares = 0;
    int functions = functionScores.length == 0 ? 0 : functionScores[0].length;
    double[] scoreSums = new double[functions];
    long tokens = 0;
    for (int i = 0; i < completions.size(); i++) {
      Completion c = completions.get(i);
      minLength = Math.min(minLength, c.tokens().length);
      maxLength = Math.max(maxLength, c.tokens().length);
      truncated += c.finished() ? 0 : 1;
      float[] logProbs = c.logProbs();
      tokens += logProbs.length;
      for (int t = 0; t < logProbs.length; t++) {
        negLogProb -= logProbs[t];
        if (referenceLogProbs != null) {
          double logRatio = referenceLogProbs[i][t] - logProbs[t]; // log ρ, ρ = π_ref / π
          klSum += kl == LossSettings.KlEstimator.K1 ? -logRatio : Math.exp(logRatio) - logRatio - 1;
        }
      }
      if (advantages != null) {
        advantageSum += advantages[i];
        advantageSquares += advantages[i] * advantages[i];
      }
      for (int k = 0; k < functions; k++) {
        scoreSums[k] += functionScores[i][k];
      }
    }
    return new RolloutStatistics(prompts.size(), zeroStd, minLength, maxLength, truncated,
        advantageSum, advantageSquares, scoreSums, negLogProb, klSum, tokens, droppedGroups);
  }

  /** The whole groups of the {@code count} lowest prompt ids of this task, by prompt id. */
  List<CompletionSample> samples(int count) {
    Integer[] order = new Integer[prompts.size()];
    for (int p = 0; p < order.length; p++) {
      order[p] = p;
    }
    Arrays.sort(order, Comparator.comparingLong(p -> prompts.get(p).id()));
    List<CompletionSample> samples = new ArrayList<>();
    for (int n = 0; n < Math.min(count, order.length); n++) {
      int p = order[n];
      int from = p * groupSize;
      int to = from + groupSize;
      int[] lengths = new int[groupSize];
      boolean[] finished = new boolean[groupSize];
      for (int j = 0; j < groupSize; j++) {
        lengths[j] = completions.get(from + j).tokens().length;
        finished[j] = completions.get(from + j).finished();
      }
      PromptRecord prompt = prompts.get(p);
      samples.add(new CompletionSample(prompt.id(), prompt.prompt(), prompt.reference(),
          texts.subList(from, to), Arrays.copyOfRange(rewards, from, to),
          Arrays.copyOfRange(functionScores, from, to),
          advantages == null ? null : Arrays.copyOfRange(advantages, from, to), lengths, finished));
    }
    return samples;
  }
}
