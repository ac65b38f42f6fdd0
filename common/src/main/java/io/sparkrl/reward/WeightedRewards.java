package io.sparkrl.reward;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The configured reward: {@code r = Σ_k weight_k · score_k}. Built once on the driver from
 * {@link RewardSettings} and shipped to executors.
 *
 * <p>A function that throws or returns NaN/infinity contributes {@code weight_k · fallback}
 * instead, and the failure is counted: one malformed reference or buggy user function must not
 * fail a Spark task (and with it the step), but it must not go unnoticed either. The counter is
 * atomic because one deserialized instance may be shared by the task threads of an executor.
 */
public final class WeightedRewards implements Serializable {
  private static final long serialVersionUID = 1L;

  private final List<String> names;
  private final double[] weights;
  private final Reward[] functions;
  private final double fallback;
  private final AtomicLong failures = new AtomicLong();

  private WeightedRewards(List<String> names, double[] weights, Reward[] functions, double fallback) {
    this.names = List.copyOf(names);
    this.weights = weights;
    this.functions = functions;
    this.fallback = fallback;
  }

  /**
   * @throws IllegalArgumentException when a user class fails in its constructor (its name and
   *     interface were already checked by {@link RewardSettings#from})
   */
  public static WeightedRewards create(RewardSettings settings) {
    int n = settings.functions().size();
    List<String> names = new ArrayList<>(n);
    double[] weights = new double[n];
    Reward[] functions = new Reward[n];
    for (int k = 0; k < n; k++) {
      RewardSettings.WeightedFunction f = settings.functions().get(k);
      names.add(f.name());
      weights[k] = f.weight();
      functions[k] = function(f.name(), settings);
    }
    return new WeightedRewards(names, weights, functions, settings.fallback());
  }

  private static Reward function(String name, RewardSettings settings) {
    return switch (name) {
      case RewardSettings.ANSWER_MATCH -> new AnswerMatchReward(settings.answerPrefix());
      case RewardSettings.FORMAT -> new FormatReward(settings.formatPattern());
      case RewardSettings.LENGTH_PENALTY ->
          new LengthPenaltyReward(settings.lengthFreeChars(), settings.lengthPerChar());
      default -> UserRewardClasses.instantiate(name);
    };
  }

  /** The reward of one completion; never throws, always finite when the weights are. */
  public double score(String prompt, String completion, String reference) {
    return total(scores(prompt, completion, reference));
  }

  /**
   * Each function's unweighted score of one completion, in configuration order; a failed one is
   * the fallback (and counted). Never throws.
   */
  public double[] scores(String prompt, String completion, String reference) {
    double[] scores = new double[functions.length];
    for (int k = 0; k < functions.length; k++) {
      double s;
      try {
        s = functions[k].score(prompt, completion, reference);
      } catch (RuntimeException e) {
        s = Double.NaN;
      }
      if (!Double.isFinite(s)) {
        failures.incrementAndGet();
        s = fallback;
      }
      scores[k] = s;
    }
    return scores;
  }

  /** {@code Σ_k weight_k · scores[k]}, summed in configuration order. */
  public double total(double[] scores) {
    double total = 0.0;
    for (int k = 0; k < functions.length; k++) {
      total += weights[k] * scores[k];
    }
    return total;
  }

  /**
   * Function scores replaced by the fallback since creation. A deserialized copy starts from the
   * count it was serialized with and counts on its own, so executors report their counts back.
   */
  public long failures() {
    return failures.get();
  }

  /** The function names in configuration order, for logs. */
  public List<String> names() {
    return names;
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("WeightedRewards[");
    for (int k = 0; k < functions.length; k++) {
      b.append(k == 0 ? "" : " + ").append(weights[k]).append(" * ").append(names.get(k));
    }
    return b.append(", fallback=").append(fallback).append(']').toString();
  }
}
