package io.sparkrl.job.executor;

import io.sparkrl.gradient.GradientSum;
import io.sparkrl.step.PromptRecord;
import io.sparkrl.step.SupervisedWorker;
import io.sparkrl.step.TrainerSettings;
import java.util.List;


/**
 * One task of a supervised step, on an executor: the gradient sum of the reference completions of
 * this task's slice of the step's examples ({@link SupervisedWorker}).
 */
public final class SftTask implements SliceFunction<List<PromptRecord>, GradientSum> {
  private final SnapshotSource policy;
  private final TrainerSettings settings;
  private final int nativeThreads;

  public SftTask(SnapshotSource policy, TrainerSettings settings, int nativeThreads) {
    this.policy = policy;
    this.settings = settings;
    this.nativeThreads = nativeThreads;
  }

  @Override
  public GradientSum apply(List<PromptRecord> examples) {
    NativeThreads.limit(nativeThreads);
    TaskDevice.bind(settings.sampling().device());
    return new SupervisedWorker(settings).gradient(policy.value(), examples);
  }
}
