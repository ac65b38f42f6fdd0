package io.sparkrl.step;

import io.sparkrl.advantage.AdvantageEstimator;
import io.sparkrl.advantage.AdvantageSettings;
import io.sparkrl.advantage.EmaBaseline;
import io.sparkrl.advantage.LinearAdvantage;
import io.sparkrl.gradient.GradientSum;
import io.sparkrl.gradient.LossSettings;
import io.sparkrl.optim.AdamW;
import io.sparkrl.optim.UpdateReport;
import io.sparkrl.policy.PolicySnapshot;
import java.util.List;

/**
 * The driver's half of a step: merge the tasks' sums in a fixed order, turn them into the mean
 * REINFORCE gradient (dividing once by the GLOBAL sequence or token count), clip and apply AdamW,
 * and advance the EMA baseline. Holds the optimizer and baseline state that a checkpoint saves.
 */
public final class PolicyUpdater {
  private final TrainerSettings settings;
  private final AdamW optimizer;
  private EmaBaseline ema;

  public PolicyUpdater(TrainerSettings settings, AdamW optimizer, EmaBaseline ema) {
    this.settings = settings;
    this.optimizer = optimizer;
    this.ema = ema;
  }

  public AdamW optimizer() {
    return optimizer;
  }

  public EmaBaseline ema() {
    return ema;
  }

  /** The context the step's tasks run with. */
  public StepContext context(long seed, long step) {
    return new StepContext(seed, step, ema.baseline());
  }

  /** Merges shards strictly in list order: the same inputs always give the same bits. */
  public static ShardResult merge(List<ShardResult> shardsInOrder) {
    ShardResult merged = null;
    for (ShardResult s : shardsInOrder) {
      merged = merged == null ? s : merged.plus(s);
    }
    if (merged == null || merged.isEmpty()) {
      throw new IllegalStateException("the step sampled no completions: no prompt reached a task");
    }
    return merged;
  }

  /** The step's total gradient sum, advantages applied (see {@link ShardResult}). */
  public GradientSum totalGradient(ShardResult merged) {
    AdvantageSettings adv = settings.advantage();
    AdvantageEstimator estimator = adv.estimator();
    GradientSum total = merged.main();
    if (estimator.needsBatchStatistics()) {
      LinearAdvantage a = estimator.linear(merged.rewards(), ema.baseline(), adv.epsilon());
      total = total.combine(a.scale(), merged.ones(), a.offset());
    }
    if (merged.regularizer() != null) {
      total = total.combine(1, merged.regularizer(), 1);
    }
    return total;
  }

  /** Applies one update to {@code current}; returns the next snapshot and the step's metrics. */
  public Outcome apply(PolicySnapshot current, ShardResult merged, long prompts) {
    GradientSum total = totalGradient(merged);
    double count = settings.loss().aggregation() == LossSettings.Aggregation.SEQUENCE_MEAN
        ? total.sequences() : total.tokens();
    double[] mean = new double[total.gradient().length];
    for (int i = 0; i < mean.length; i++) {
      mean[i] = total.gradient()[i] / count;
    }
    float[] parameters = current.parameters().clone();
    UpdateReport report = optimizer.apply(parameters, mean);
    double usedBaseline = ema.baseline();
    ema = ema.update(merged.rewards().mean(), settings.advantage().emaDecay());
    StepMetrics metrics = new StepMetrics(current.step(), prompts, total.sequences(),
        total.tokens(), merged.rewards().mean(), merged.rewards().besselStd(),
        total.lossSum() / count, report.gradNorm(), report.clippedNorm(), report.learningRate(),
        (double) total.tokens() / total.sequences(),
        (double) merged.finishedCompletions() / total.sequences(), merged.rewardFailures(),
        usedBaseline, merged.sampleNanos(), merged.rewardNanos(), merged.gradientNanos(),
        merged.rewardTimeouts());
    return new Outcome(current.withParameters(parameters, current.step() + 1), metrics);
  }

  public record Outcome(PolicySnapshot snapshot, StepMetrics metrics) {}
}
