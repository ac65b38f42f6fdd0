package io.sparkrl.step;

import io.sparkrl.advantage.RewardStatistics;
import io.sparkrl.gradient.GradientSum;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What one task returns for its share of a step: sums and counts only, never means.
 *
 * <p>The step's gradient sum is {@code scale * main + offset * ones + regularizer}, where (scale,
 * offset) is the estimator's linear advantage from the GLOBAL reward statistics: for estimators
 * whose advantage is known inside the task (none, ema, group-mean, rloo, grpo) {@code main}
 * already holds it and the driver uses (1, 0); batch-mean and whiten need the whole batch's mean
 * and std, so the task returns {@code main} = gradient with A_i = r_i and {@code ones} = gradient
 * with A_i = 1, which combine exactly (docs/algorithm.md, section 2). {@code regularizer} (KL/entropy terms) is
 * separate only when the scale is not 1 (whiten); otherwise it is inside {@code main}.
 *
 * <p>{@code rollout} and {@code samples} are for the metrics and the completions log only:
 * {@code samples} holds the whole groups of the task's lowest prompt ids (up to the step's
 * sample count), and merged shards keep them sorted by prompt id, so the driver's first k are the
 * step's k lowest ids however the prompts were partitioned.
 *
 * <p>{@code rewardFailures} counts function scores that threw or were not finite,
 * {@code rewardTimeouts} function calls abandoned after {@code reward.timeout}; both were replaced
 * by the fallback.
 */
public record ShardResult(GradientSum main, GradientSum ones, GradientSum regularizer,
    RewardStatistics rewards, long rewardFailures, long finishedCompletions,
    long sampleNanos, long rewardNanos, long gradientNanos, RolloutStatistics rollout,
    List<CompletionSample> samples, long rewardTimeouts) implements Serializable {

  public ShardResult {
    samples = List.copyOf(samples);
  }

  /** A shard without rollout figures or samples. */
  public ShardResult(GradientSum main, GradientSum ones, GradientSum regularizer,
      RewardStatistics rewards, long rewardFailures, long finishedCompletions, long sampleNanos,
      long rewardNanos, long gradientNanos, long rewardTimeouts) {
    this(main, ones, regularizer, rewards, rewardFailures, finishedCompletions, sampleNanos,
        rewardNanos, gradientNanos, RolloutStatistics.EMPTY, List.of(), rewardTimeouts);
  }

  /** A task whose partition had no prompt in this step. */
  public static ShardResult empty(int parameters) {
    return new ShardResult(io.sparkrl.gradient.GradientSum.zero(parameters), null, null,
        RewardStatistics.EMPTY, 0, 0, 0, 0, 0, 0);
  }

  /** No completion was sampled (a gradient over none may also come from dropped groups). */
  public boolean isEmpty() {
    return rewards.count() == 0;
  }

  /** This shard and a later one, in that order (the merge order is fixed by the caller). */
  public ShardResult plus(ShardResult later) {
    return plus(later, false);
  }

  /**
   * {@link #plus} with this shard's gradient sums added into ({@link GradientSum#plusInPlace}):
   * the same result, for shards the caller owns (read from tasks' results), this one not used
   * afterwards.
   */
  public ShardResult plusInPlace(ShardResult later) {
    return plus(later, true);
  }

  private ShardResult plus(ShardResult later, boolean inPlace) {
    return new ShardResult(add(main, later.main, inPlace), add(ones, later.ones, inPlace),
        add(regularizer, later.regularizer, inPlace), rewards.plus(later.rewards),
        rewardFailures + later.rewardFailures, finishedCompletions + later.finishedCompletions,
        sampleNanos + later.sampleNanos, rewardNanos + later.rewardNanos,
        gradientNanos + later.gradientNanos, rollout.plus(later.rollout),
        byPromptId(samples, later.samples), rewardTimeouts + later.rewardTimeouts);
  }

  private static List<CompletionSample> byPromptId(List<CompletionSample> a, List<CompletionSample> b) {
    List<CompletionSample> all = new ArrayList<>(a.size() + b.size());
    all.addAll(a);
    all.addAll(b);
    all.sort(Comparator.comparingLong(CompletionSample::promptId));
    return all;
  }

  private static GradientSum add(GradientSum a, GradientSum b, boolean inPlace) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    return inPlace ? a.plusInPlace(b) : a.plus(b);
  }
}
