package io.sparkrl.job.executor;

import io.sparkrl.step.PromptRecord;
import io.sparkrl.step.PromptSchedule;
import java.util.Iterator;
import org.apache.spark.api.java.function.FlatMapFunction;

/**
 * One task of a prompt gathering job, on an executor: the rows of its cached corpus partition that
 * the schedule puts in steps [from, from + steps). The driver puts all partitions' rows in the
 * steps' order.
 */
public final class GatherTask implements FlatMapFunction<Iterator<PromptRecord>, PromptRecord> {
  private final PromptSchedule schedule;
  private final long fromStep;
  private final long steps;

  public GatherTask(PromptSchedule schedule, long fromStep, long steps) {
    this.schedule = schedule;
    this.fromStep = fromStep;
    this.steps = steps;
  }

  @Override
  public Iterator<PromptRecord> call(Iterator<PromptRecord> partition) {
    java.util.List<PromptRecord> rows = new java.util.ArrayList<>();
    while (partition.hasNext()) {
      PromptRecord p = partition.next();
      if (schedule.inSteps(p.id(), fromStep, steps)) {
        rows.add(p);
      }
    }
    return rows.iterator();
  }
}
