package io.sparkrl.job.executor;

import io.sparkrl.step.PromptRecord;
import io.sparkrl.step.RolloutWorker;
import io.sparkrl.step.ShardResult;
import io.sparkrl.step.StepContext;
import io.sparkrl.step.TrainerSettings;
import java.util.List;


/**
 * One task of a REINFORCE step, on an executor: run the {@link RolloutWorker} on this task's slice
 * of the step's prompts (in the step's order), on the GPU Spark assigned the task if any
 * ({@link TaskDevice}), and return its {@link ShardResult}.
 */
public final class StepTask implements SliceFunction<List<PromptRecord>, ShardResult> {
  private final SnapshotSource policy;
  private final SnapshotSource reference;
  private final TrainerSettings settings;
  private final StepContext context;
  private final int nativeThreads;

  public StepTask(SnapshotSource policy, SnapshotSource reference,
      TrainerSettings settings, StepContext context, int nativeThreads) {
    this.policy = policy;
    this.reference = reference;
    this.settings = settings;
    this.context = context;
    this.nativeThreads = nativeThreads;
  }

  @Override
  public ShardResult apply(List<PromptRecord> prompts) {
    NativeThreads.limit(nativeThreads);
    TaskDevice.bind(settings.sampling().device());
    return new RolloutWorker(settings).run(policy.value(),
        reference == null ? null : reference.value(), context, prompts);
  }
}
