package io.sparkrl.job.bench;

import io.sparkrl.job.driver.ReinforceJob;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The median of each part of a Spark step over the timed steps: the driver's phases (broadcast,
 * tasks = job submission to collect's return, merge, AdamW) and each task's figures from Spark's
 * metrics (launch after job start, deserialization, run time, of which rollout, result
 * serialization and size, indirect result fetch, finish), plus how the step's prompts fell on the
 * tasks.
 */
final class StepBreakdown {
  private final int groupSize;
  private final Map<String, List<Double>> figures = new LinkedHashMap<>();
  private final Map<String, Integer> promptSplits = new TreeMap<>();
  private final Map<String, List<double[]>> bySplit = new TreeMap<>();
  private final List<String> taskLines = new ArrayList<>();

  StepBreakdown(int groupSize) {
    this.groupSize = groupSize;
  }

  void add(ReinforceJob.StepResult r, List<TaskTimeline.Task> tasks) {
    put("driver: broadcast", r.phases().broadcastMs());
    put("driver: job (submit to collected)", r.phases().tasksMs());
    put("driver: merge", r.phases().mergeMs());
    put("driver: AdamW + metrics", r.phases().updateMs());
    put("driver: whole step", r.phases().stepMs());
    long lastFinish = 0;
    for (TaskTimeline.Task t : tasks) {
      put("task: launch after job start", t.launchDelay());
      put("task: deserialize", t.deserialize());
      put("task: run", t.run());
      put("task: result serialize", t.serialize());
      put("task: result KB (Spark metric)", t.resultBytes() / 1024.0);
      put("task: getting result (indirect)", t.gettingResult());
      lastFinish = Math.max(lastFinish, t.finishAfterJobStart());
    }
    put("job start to last task finished", lastFinish);
    List<String> split = new ArrayList<>();
    double slowest = 0;
    double fastest = Double.MAX_VALUE;
    List<String> line = new ArrayList<>();
    for (ReinforceJob.ShardFigures s : r.shards()) {
      line.add(String.format("%,.0f (sample %,.0f, gradient %,.0f)", s.rolloutMs(), s.sampleMs(),
          s.gradientMs()));
      fastest = Math.min(fastest, s.rolloutMs());
      split.add(Long.toString(s.sequences() / groupSize));
      put("task: rollout (sample+reward+grad)", s.rolloutMs());
      put("task:   sample", s.sampleMs());
      put("task:   reward", s.rewardMs());
      put("task:   gradient", s.gradientMs());
      slowest = Math.max(slowest, s.rolloutMs());
    }
    put("slowest task's rollout", slowest);
    put("fastest task's rollout", fastest);
    taskLines.add(String.join("; ", line));
    String key = String.join("+", split);
    promptSplits.merge(key, 1, Integer::sum);
    bySplit.computeIfAbsent(key, k -> new ArrayList<>()).add(new double[] {r.phases().stepMs(), slowest});
  }

  private void put(String name, double value) {
    figures.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
  }

  void print() {
    System.out.println("Spark step breakdown (median over timed steps; task rows over all tasks):");
    figures.forEach((name, values) -> System.out.printf("  %-38s %9.2f%n", name,
        median(values.stream().mapToDouble(Double::doubleValue).toArray())));
    System.out.println("  prompts per task (slice order) : steps " + promptSplits);
    bySplit.forEach((split, rows) -> System.out.printf("  split %-8s median step %6.1f ms, slowest"
        + " task's rollout %6.1f ms%n", split, median(rows.stream().mapToDouble(a -> a[0]).toArray()),
        median(rows.stream().mapToDouble(a -> a[1]).toArray())));
    System.out.println("  each timed step's task rollouts, ms (sample, gradient), in slice order:");
    for (int i = 0; i < taskLines.size(); i++) {
      System.out.printf("    step %d: %s%n", i + 1, taskLines.get(i));
    }
  }

  static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  static double mean(double[] values) {
    return Arrays.stream(values).average().orElse(Double.NaN);
  }
}
