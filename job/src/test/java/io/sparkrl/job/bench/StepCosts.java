package io.sparkrl.job.bench;

import io.sparkrl.job.driver.ReinforceJob;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Each timed step of {@link SparkOverheadBenchmark} as one row: the in-process one-thread step,
 * the {@code local[2]} Spark step and their ratio, then what the Spark step paid to move the
 * policy out and the gradient sums back. Broadcast: the step's parameter broadcast (the largest
 * broadcast made during the step; its torrent pieces as the block manager stored them, i.e.
 * serialized and, with {@code spark.broadcast.compress}, compressed) and the driver's time in
 * {@code PolicyBroadcasts.broadcast}; the step's other broadcasts are the jobs' task binaries.
 * Results: the tasks' {@code resultSize} summed (Spark's metric, what reached the driver), the
 * slowest task's result serialization, the slowest task's way to the driver (finish - launch -
 * deserialize - run - serialize: storing and fetching an indirect result, and its
 * deserialization on the driver) and the driver's merge ({@code PolicyUpdater.mergeReceived}, the
 * top of the merge tree). Cores: the JVM's CPU time over the step's wall time, for each (how many of the
 * machine's cores the step got, garbage collection and Spark's own threads included; on a shared
 * machine, below 2 for the Spark step means other processes took the rest). Bytes in decimal
 * MB / KB.
 */
final class StepCosts {
  /** One timed step. Times in ms, sizes in bytes. */
  record Row(double localMs, double sparkMs, long parameterBytes, double broadcastMs,
      long otherBroadcastBytes, int otherBroadcasts, long resultBytes, int tasks,
      double resultSerializeMs, double resultToDriverMs, double mergeMs, double sparkCores,
      double localCores) {
    double ratio() {
      return sparkMs / localMs;
    }
  }

  private final List<Row> rows = new ArrayList<>();

  void add(double localMs, double sparkMs, ReinforceJob.StepResult r, List<TaskTimeline.Task> tasks,
      TaskTimeline.Stored stored, double sparkCores, double localCores) {
    rows.add(row(localMs, sparkMs, r.phases().broadcastMs(), r.phases().mergeMs(), tasks,
        stored.broadcasts(), sparkCores, localCores));
  }

  static Row row(double localMs, double sparkMs, double broadcastMs, double mergeMs,
      List<TaskTimeline.Task> tasks, Map<Long, Long> broadcasts, double sparkCores,
      double localCores) {
    long parameters = broadcasts.values().stream().mapToLong(Long::longValue).max().orElse(0);
    long all = broadcasts.values().stream().mapToLong(Long::longValue).sum();
    return new Row(localMs, sparkMs, parameters, broadcastMs, all - parameters,
        Math.max(0, broadcasts.size() - 1),
        tasks.stream().mapToLong(TaskTimeline.Task::resultBytes).sum(), tasks.size(),
        tasks.stream().mapToLong(TaskTimeline.Task::serialize).max().orElse(0),
        tasks.stream().mapToLong(TaskTimeline.Task::toDriver).max().orElse(0), mergeMs, sparkCores,
        localCores);
  }

  List<Row> rows() {
    return Collections.unmodifiableList(rows);
  }

  void print(long javaSerializedParameters) {
    System.out.printf("per timed step (parameter broadcast: its pieces as stored, compressed;"
        + " Java-serialized StepParameters alone: %s):%n", mb(javaSerializedParameters));
    System.out.println("| step | in-process, 1 thread | Spark local[2] | ratio"
        + " | parameter broadcast"
        + " | broadcast (driver) | other broadcasts | task results (tasks) | result serialize"
        + " (slowest) | result to driver (slowest) | merge (driver) | cores busy, Spark /"
        + " in-process |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (int i = 0; i < rows.size(); i++) {
      System.out.println(format(Integer.toString(i + 1), rows.get(i)));
    }
    if (rows.size() > 1) {
      System.out.println(format("median", median(rows)));
    }
  }

  /** The row of each column's median (the ratio: of the medians). */
  static Row median(List<Row> rows) {
    return new Row(med(rows, Row::localMs), med(rows, Row::sparkMs),
        (long) med(rows, r -> r.parameterBytes()), med(rows, Row::broadcastMs),
        (long) med(rows, r -> r.otherBroadcastBytes()), (int) med(rows, r -> r.otherBroadcasts()),
        (long) med(rows, r -> r.resultBytes()), (int) med(rows, r -> r.tasks()),
        med(rows, Row::resultSerializeMs), med(rows, Row::resultToDriverMs),
        med(rows, Row::mergeMs), med(rows, Row::sparkCores), med(rows, Row::localCores));
  }

  private static double med(List<Row> rows, ToDoubleFunction<Row> f) {
    return StepBreakdown.median(rows.stream().mapToDouble(f).toArray());
  }

  static String format(String step, Row r) {
    return String.format("| %s | %,.0f ms | %,.0f ms | %.2f | %s | %,.0f ms | %s (%d) | %s (%d) |"
        + " %,.0f ms | %,.0f ms | %,.1f ms | %.2f / %.2f |", step, r.localMs(), r.sparkMs(),
        r.ratio(),
        mb(r.parameterBytes()), r.broadcastMs(), kb(r.otherBroadcastBytes()), r.otherBroadcasts(),
        mb(r.resultBytes()), r.tasks(), r.resultSerializeMs(), r.resultToDriverMs(), r.mergeMs(),
        r.sparkCores(), r.localCores());
  }

  static String mb(long bytes) {
    return String.format("%,.1f MB", bytes / 1e6);
  }

  static String kb(long bytes) {
    return String.format("%,.1f KB", bytes / 1e3);
  }
}
