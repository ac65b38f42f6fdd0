package io.sparkrl.job.executor;

import io.sparkrl.policy.PolicySnapshot;
import io.sparkrl.step.PromptRecord;
import io.sparkrl.step.PromptSchedule;
import io.sparkrl.step.RolloutWorker;
import io.sparkrl.step.ShardResult;
import io.sparkrl.step.StepContext;
import io.sparkrl.step.TrainerSettings;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;

/**
 * One task of a REINFORCE step, on an executor: pick this step's prompts out of the partition (by
 * the schedule, in the step's order), and run the {@link RolloutWorker} on them, on the GPU Spark
 * assigned the task if any ({@link TaskDevice}). Returns exactly
 * one {@link ShardResult} per partition, so the driver merges in partition order.
 */
public final class StepTask implements FlatMapFunction<Iterator<PromptRecord>, ShardResult> {
  private final Broadcast<PolicySnapshot> policy;
  private final Broadcast<PolicySnapshot> reference;
  private final TrainerSettings settings;
  private final PromptSchedule schedule;
  private final StepContext context;
  private final int nativeThreads;

  public StepTask(Broadcast<PolicySnapshot> policy, Broadcast<PolicySnapshot> reference,
      TrainerSettings settings, PromptSchedule schedule, StepContext context, int nativeThreads) {
    this.policy = policy;
    this.reference = reference;
    this.settings = settings;
    this.schedule = schedule;
    this.context = context;
    this.nativeThreads = nativeThreads;
  }

  @Override
  public Iterator<ShardResult> call(Iterator<PromptRecord> partition) {
    NativeThreads.limit(nativeThreads);
    TaskDevice.bind(settings.sampling().device());
    List<PromptRecord> prompts = schedule.select(partition, context.step());
    PolicySnapshot snapshot = policy.value();
    ShardResult result = new RolloutWorker(settings).run(snapshot,
        reference == null ? null : reference.value(), context, prompts);
    return List.of(result).iterator();
  }
}
