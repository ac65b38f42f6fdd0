package io.sparkrl.job.executor;

import io.sparkrl.step.PromptRecord;
import io.sparkrl.step.SupervisedWorker;
import io.sparkrl.step.TrainerSettings;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;


/**
 * The held-out loss of a partition of examples: {summed negative log-likelihood of the reference
 * completions, their tokens}, so the driver adds sums and divides once.
 */
public final class SftLossTask implements FlatMapFunction<Iterator<PromptRecord>, double[]> {
  private final SnapshotSource policy;
  private final TrainerSettings settings;
  private final int nativeThreads;
  private final int batch;

  public SftLossTask(SnapshotSource policy, TrainerSettings settings, int nativeThreads,
      int batch) {
    this.policy = policy;
    this.settings = settings;
    this.nativeThreads = nativeThreads;
    this.batch = batch;
  }

  @Override
  public Iterator<double[]> call(Iterator<PromptRecord> partition) {
    NativeThreads.limit(nativeThreads);
    TaskDevice.bind(settings.sampling().device());
    SupervisedWorker worker = new SupervisedWorker(settings);
    double[] total = {0, 0};
    List<PromptRecord> chunk = new ArrayList<>(batch);
    while (partition.hasNext()) {
      chunk.add(partition.next());
      if (chunk.size() == batch || !partition.hasNext()) {
        double[] l = worker.loss(policy.value(), chunk);
        total[0] += l[0];
        total[1] += l[1];
        chunk.clear();
      }
    }
    return List.of(total).iterator();
  }
}
