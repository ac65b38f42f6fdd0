package io.sparkrl.job.bench;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.TaskInfo;

/**
 * Where a Spark step's time goes, from Spark's own task metrics: per job, the delay from job start
 * to each task's launch, task deserialization, run time, result serialization, result size, and
 * the time the driver spent fetching an indirect result. Collected on the listener bus; read
 * after the job with {@link #drain()}.
 */
final class TaskTimeline extends SparkListener {
  /** One finished task. Times in ms; {@code launchDelay} from its job's start. */
  record Task(int partition, long launchDelay, long deserialize, long run, long serialize,
      long resultBytes, long gettingResult, long finishAfterJobStart) {}

  private final List<Task> tasks = new ArrayList<>();
  private long jobStart;

  @Override
  public synchronized void onJobStart(SparkListenerJobStart start) {
    jobStart = start.time();
  }

  @Override
  public synchronized void onTaskEnd(SparkListenerTaskEnd end) {
    TaskInfo info = end.taskInfo();
    TaskMetrics m = end.taskMetrics();
    long getting = info.gettingResultTime() > 0 ? info.finishTime() - info.gettingResultTime() : 0;
    tasks.add(new Task(info.index(), info.launchTime() - jobStart, m.executorDeserializeTime(),
        m.executorRunTime(), m.resultSerializationTime(), m.resultSize(), getting,
        info.finishTime() - jobStart));
  }

  /** The tasks finished since the last call (waits for the listener bus to catch up). */
  synchronized List<Task> drain(int expected) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 2000;
    while (tasks.size() < expected && System.currentTimeMillis() < deadline) {
      wait(5);
    }
    List<Task> out = new ArrayList<>(tasks);
    tasks.clear();
    return out;
  }
}
