package io.sparkrl.step;

import io.sparkrl.advantage.AdvantageSettings;
import io.sparkrl.advantage.EmaBaseline;
import io.sparkrl.advantage.LinearAdvantage;
import io.sparkrl.gradient.GradientSum;
import io.sparkrl.gradient.LossSettings;
import io.sparkrl.optim.AdamW;
import io.sparkrl.optim.UpdateReport;
import io.sparkrl.policy.PolicySnapshot;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver's half of a step: merge the tasks' sums in a fixed order, turn them into the mean
 * REINFORCE gradient (dividing once by the GLOBAL sequence or token count), clip and apply AdamW,
 * and advance the EMA baseline. Holds the optimizer and baseline state that a checkpoint saves.
 *
 * <p>A step whose loss or mean gradient is not finite (NaN or ±infinity, e.g. from a reward that
 * returns a huge value) is skipped: no AdamW update, so the parameters, the AdamW moments and its
 * update count (which drives the learning-rate schedule) stay exactly as they were, and the EMA
 * baseline is not advanced. The step index still advances, so the next step samples new prompts
 * and new completions (retrying the same index would recompute the same non-finite result bit for
 * bit). A checkpoint therefore records step {@code s} with an optimizer count of {@code s} minus the
 * skipped steps, and a resumed run continues from there exactly. The skip counters are not
 * checkpointed: a resumed run counts consecutive skips from zero (a run stopped for them resumes
 * at its last checkpoint and meets the same non-finite steps again, deterministically).
 */
public final class PolicyUpdater {
  private static final Logger LOG = LoggerFactory.getLogger(PolicyUpdater.class);
  private final TrainerSettings settings;
  private final AdamW optimizer;
  private EmaBaseline ema;
  private long skippedUpdates;
  private int consecutiveSkips;
  /** The mean gradient, reused from step to step (see {@link #meanBuffer}). */
  private double[] meanGradient;

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

  /** Updates skipped by this updater (since the run's start or resume) for a non-finite value. */
  public long skippedUpdates() {
    return skippedUpdates;
  }

  /** The skipped updates since the last applied one. */
  public int consecutiveSkips() {
    return consecutiveSkips;
  }

  /** The context the step's tasks run with. */
  public StepContext context(long seed, long step) {
    return new StepContext(seed, step, ema.baseline());
  }

  /** Merges shards strictly in list order: the same inputs always give the same bits. */
  public static ShardResult merge(List<ShardResult> shardsInOrder) {
    return merge(shardsInOrder, false);
  }

  /**
   * {@link #merge} of shards read from the tasks' results, which the caller owns: the first one's
   * gradient sums are added into ({@link ShardResult#plusInPlace}), the same bits without another
   * array of 8 bytes a parameter per sum. The first shard's sums must not be used afterwards.
   */
  public static ShardResult mergeReceived(List<ShardResult> shardsInOrder) {
    return merge(shardsInOrder, true);
  }

  private static ShardResult merge(List<ShardResult> shardsInOrder, boolean inPlace) {
    ShardResult merged = null;
    for (ShardResult s : shardsInOrder) {
      merged = merged == null ? s : inPlace ? merged.plusInPlace(s) : merged.plus(s);
    }
    if (merged == null || merged.isEmpty()) {
      throw new IllegalStateException("the step sampled no completions: no prompt reached a task");
    }
    return merged;
  }

  /** The step's total gradient sum, advantages applied (see {@link ShardResult}). */
  public GradientSum totalGradient(ShardResult merged) {
    return totalGradient(merged, batchAdvantage(merged));
  }

  /** @param batch the batch-wide advantage, or null when the tasks applied the advantages */
  private static GradientSum totalGradient(ShardResult merged, LinearAdvantage batch) {
    GradientSum total = merged.main();
    if (batch != null) {
      total = total.combine(batch.scale(), merged.ones(), batch.offset());
    }
    if (merged.regularizer() != null) {
      total = total.combine(1, merged.regularizer(), 1);
    }
    return total;
  }

  /** Applies one update to {@code current}; returns the next snapshot and the step's metrics. */
  public Outcome apply(PolicySnapshot current, ShardResult merged, long prompts) {
    LinearAdvantage batch = batchAdvantage(merged); // once: the EMA baseline moves below
    GradientSum total = totalGradient(merged, batch);
    double count = settings.loss().aggregation() == LossSettings.Aggregation.SEQUENCE_MEAN
        ? total.sequences() : total.tokens();
    double[] mean = meanBuffer(total.gradient().length);
    for (int i = 0; i < mean.length; i++) {
      mean[i] = total.gradient()[i] / count;
    }
    // every group dropped for equal rewards (advantage.drop-uniform-groups): nothing to learn from
    boolean nothingKept = count == 0 && merged.rollout().droppedGroups() > 0;
    String nonFinite = nothingKept ? null : nonFinite(total.lossSum() / count, mean);
    float[] parameters = current.parameters().clone();
    UpdateReport report;
    double usedBaseline = ema.baseline();
    RolloutFigures rollout = RolloutFigures.of(merged, batch,
        settings.reward().functions().stream().map(f -> f.name()).toList(),
        settings.loss().usesReference());
    if (nothingKept) {
      report = new UpdateReport(0.0, 0.0, optimizer.nextLearningRate(), optimizer.step());
      LOG.info("step {}: every prompt group's rewards were equal and all {} were dropped; no "
          + "update", current.step(), merged.rollout().droppedGroups());
    } else if (nonFinite == null) {
      report = optimizer.apply(parameters, mean);
      ema = ema.update(merged.rewards().mean(), settings.advantage().emaDecay());
      consecutiveSkips = 0;
    } else {
      report = new UpdateReport(Double.NaN, 0.0, optimizer.nextLearningRate(), optimizer.step());
      skippedUpdates++;
      consecutiveSkips++;
      LOG.warn("step {}: update skipped, {} ({} consecutive, {} in this run); parameters, "
          + "optimizer and baseline unchanged", current.step(), nonFinite, consecutiveSkips,
          skippedUpdates);
    }
    StepMetrics metrics = new StepMetrics(current.step(), prompts, total.sequences(),
        total.tokens(), merged.rewards().mean(), merged.rewards().besselStd(),
        nothingKept ? 0.0 : total.lossSum() / count, report.gradNorm(), report.clippedNorm(),
        report.learningRate(), (double) total.tokens() / Math.max(1, total.sequences()),
        (double) merged.finishedCompletions() / merged.rewards().count(), merged.rewardFailures(),
        usedBaseline, merged.sampleNanos(), merged.rewardNanos(), merged.gradientNanos(),
        rollout, skippedUpdates, nonFinite, merged.rewardTimeouts());
    return new Outcome(current.withParameters(parameters, current.step() + 1), metrics,
        samples(merged, batch));
  }

  /**
   * The array the step's mean gradient is written into: the same one every step. It is the
   * driver's largest per-step array (8 bytes a parameter) and lives only within {@link #apply}.
   * A fresh one costs the JVM zeroing it, and the kernel mapping its pages while the heap grows:
   * dividing 25.7M parameters into a fresh array took 40-53 ms against 30-35 ms into a reused one
   * once the heap had grown, and 213 ms the first time.
   */
  private double[] meanBuffer(int length) {
    if (meanGradient == null || meanGradient.length != length) {
      meanGradient = new double[length];
    }
    return meanGradient;
  }

  /** The estimator's advantage from the batch statistics, or null when the tasks applied it. */
  private LinearAdvantage batchAdvantage(ShardResult merged) {
    AdvantageSettings adv = settings.advantage();
    return adv.estimator().needsBatchStatistics()
        ? adv.estimator().linear(merged.rewards(), ema.baseline(), adv.epsilon()) : null;
  }

  /** The merged shards' completion samples, with the advantages the update used. */
  private static List<CompletionSample> samples(ShardResult merged, LinearAdvantage batch) {
    return batch == null ? merged.samples()
        : merged.samples().stream().map(s -> s.withAdvantages(batch)).toList();
  }

  /** What is not finite ("loss = NaN", "gradient[12] = Infinity (and 3 more)"), or null. */
  static String nonFinite(double loss, double[] gradient) {
    int first = -1;
    int count = 0;
    for (int i = 0; i < gradient.length; i++) {
      if (!Double.isFinite(gradient[i])) {
        first = first < 0 ? i : first;
        count++;
      }
    }
    String g = first < 0 ? null : "gradient[" + first + "] = " + gradient[first]
        + (count > 1 ? " (and " + (count - 1) + " more non-finite entries)" : "");
    if (!Double.isFinite(loss)) {
      return "loss = " + loss + (g == null ? "" : ", " + g);
    }
    return g;
  }

  /**
   * @param samples whole prompt groups of the step for the completions log, by prompt id
   */
  public record Outcome(PolicySnapshot snapshot, StepMetrics metrics, List<CompletionSample> samples) {
    public Outcome(PolicySnapshot snapshot, StepMetrics metrics) {
      this(snapshot, metrics, List.of());
    }
  }
}
