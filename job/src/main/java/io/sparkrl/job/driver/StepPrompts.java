package io.sparkrl.job.driver;

import io.sparkrl.job.executor.GatherTask;
import io.sparkrl.step.PromptRecord;
import io.sparkrl.step.PromptSchedule;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The prompts of the coming steps, on the driver. The corpus stays cached on the executors; one
 * Spark job gathers the rows of up to {@code sparkrl.run.prefetch-prompts} prompts' worth of steps
 * (at least one step, never past the epoch or the run's last step), so each step's own job needs
 * no scan of the corpus and can share its prompts evenly among its tasks. Driver memory: at most
 * that many prompts, whatever the corpus size.
 */
public final class StepPrompts {
  private static final Logger LOG = LoggerFactory.getLogger(StepPrompts.class);

  private final JavaRDD<PromptRecord> corpus;
  private final PromptSchedule schedule;
  private final int promptsPerStep;
  private final long stepsPerGather;
  private long from = -1;
  private long gathers;
  private List<PromptRecord> window = List.of();

  public StepPrompts(JavaRDD<PromptRecord> corpus, PromptSchedule schedule, int promptsPerStep,
      int prefetchPrompts) {
    this.corpus = corpus;
    this.schedule = schedule;
    this.promptsPerStep = promptsPerStep;
    this.stepsPerGather = Math.max(1, prefetchPrompts / promptsPerStep);
  }

  /** Step {@code step}'s prompts in the step's order, gathering when it is not held yet. */
  public List<PromptRecord> of(long step, long lastStep) {
    long held = window.size() / promptsPerStep;
    if (from < 0 || step < from || step >= from + held) {
      long steps = Math.min(stepsPerGather, schedule.stepsLeftInEpoch(step));
      if (lastStep > step) {
        steps = Math.min(steps, lastStep - step);
      }
      gather(step, steps);
    }
    int at = (int) ((step - from) * promptsPerStep);
    return window.subList(at, at + promptsPerStep);
  }

  /** Gathering jobs run so far. */
  public long gathers() {
    return gathers;
  }

  private void gather(long step, long steps) {
    long t0 = System.nanoTime();
    window = List.of(); // the old window can go before the new one arrives
    List<PromptRecord> rows = schedule.inStepOrder(
        corpus.mapPartitions(new GatherTask(schedule, step, steps)).collect(), step);
    if (rows.size() != steps * promptsPerStep) {
      throw new IllegalStateException("gathering the prompts of steps " + step + ".."
          + (step + steps - 1) + " found " + rows.size() + " rows, not " + steps * promptsPerStep
          + ": the cached corpus no longer has the size the schedule was made for");
    }
    window = rows;
    from = step;
    gathers++;
    LOG.info("prompts of steps {}..{} ({} prompts) gathered from the cached corpus in {} ms",
        step, step + steps - 1, rows.size(), String.format("%.1f", (System.nanoTime() - t0) / 1e6));
  }
}
