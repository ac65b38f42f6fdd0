package io.sparkrl.job.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerBlockUpdated;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.TaskInfo;
import org.apache.spark.storage.BlockUpdatedInfo;
import org.apache.spark.storage.BroadcastBlockId;
import org.apache.spark.storage.TaskResultBlockId;

/**
 * Where a Spark step's time goes, from Spark's own task metrics: per job, the delay from job start
 * to each task's launch, task deserialization, run time, result serialization, result size, and
 * the time the driver spent fetching an indirect result; and the bytes Spark stored for each
 * broadcast made in the meantime (its torrent pieces: serialized and compressed, as the block
 * manager reports them to the master) and for each indirect task result. Collected on the
 * listener bus; read after the job with {@link #drain} and {@link #drainStored}.
 */
final class TaskTimeline extends SparkListener {
  /**
   * One finished task. Times in ms; {@code launchDelay} from its job's start. {@code toDriver}:
   * what is left of the task's time between launch and finish once the executor's
   * deserialization, run and result serialization are taken out, that is the result's way to
   * the driver (stored and fetched when indirect) and its deserialization there, plus the launch.
   */
  record Task(int partition, long launchDelay, long deserialize, long run, long serialize,
      long resultBytes, long gettingResult, long finishAfterJobStart, long toDriver) {}

  private final List<Task> tasks = new ArrayList<>();
  private final Map<Long, Long> broadcastBytes = new TreeMap<>();
  private long resultBlockBytes;
  private long jobStart;

  @Override
  public synchronized void onJobStart(SparkListenerJobStart start) {
    jobStart = start.time();
  }

  @Override
  public synchronized void onTaskEnd(SparkListenerTaskEnd end) {
    TaskInfo info = end.taskInfo();
    TaskMetrics m = end.taskMetrics();
    if (m == null) { // a failed task
      return;
    }
    long getting = info.gettingResultTime() > 0 ? info.finishTime() - info.gettingResultTime() : 0;
    long toDriver = info.finishTime() - info.launchTime() - m.executorDeserializeTime()
        - m.executorRunTime() - m.resultSerializationTime();
    tasks.add(new Task(info.index(), info.launchTime() - jobStart, m.executorDeserializeTime(),
        m.executorRunTime(), m.resultSerializationTime(), m.resultSize(), getting,
        info.finishTime() - jobStart, Math.max(0, toDriver)));
  }

  /** Counts each stored broadcast piece and indirect task result (removals are not counted). */
  @Override
  public synchronized void onBlockUpdated(SparkListenerBlockUpdated event) {
    BlockUpdatedInfo b = event.blockUpdatedInfo();
    if (!b.storageLevel().isValid()) {
      return;
    }
    long bytes = b.memSize() + b.diskSize();
    if (b.blockId() instanceof BroadcastBlockId id && id.field().startsWith("piece")) {
      broadcastBytes.merge(id.broadcastId(), bytes, Long::sum);
    } else if (b.blockId() instanceof TaskResultBlockId) {
      resultBlockBytes += bytes;
    }
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

  /**
   * What the block manager stored since the last call: each broadcast's bytes by broadcast id (its
   * pieces: serialized, compressed when {@code spark.broadcast.compress}) and the indirect task
   * results' bytes. Call after {@link #drain}: the listener bus delivers in order, and a step's
   * broadcasts precede its job's tasks.
   */
  synchronized Stored drainStored() {
    Stored out = new Stored(new TreeMap<>(broadcastBytes), resultBlockBytes);
    broadcastBytes.clear();
    resultBlockBytes = 0;
    return out;
  }

  /** Bytes stored in the block manager: broadcasts by id, and indirect task results. */
  record Stored(Map<Long, Long> broadcasts, long resultBlocks) {}
}
