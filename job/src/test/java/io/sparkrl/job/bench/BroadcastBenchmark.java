package io.sparkrl.job.bench;

import io.sparkrl.job.cluster.LocalCluster;
import io.sparkrl.job.executor.SnapshotSource.StepParameters;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;

/**
 * What a step's parameter broadcast and its gradient-sized results cost against the parameter
 * count, on {@code local-cluster[2,1,1024]} (two executor JVMs, so every byte crosses a socket).
 * Per step, as the job does it: the driver broadcasts the parameters as {@link StepParameters}
 * (what {@code PolicyBroadcasts} sends each step), a 2-task job reads them (each executor fetches
 * the torrent's pieces), a second 2-task job returns one {@code float[P]} per task (a gradient
 * sum, what the driver's merge receives), the driver adds them, and the broadcast is destroyed.
 * Prints medians over the timed steps of each size. The largest size that fits is what the two
 * executors (900 MB heaps) hold at once: the broadcast value, its pieces, a result of the same
 * size and its serialized copy; a size whose tasks failed (an executor's OutOfMemoryError, then
 * a retry on a replacement) is marked as not fitting, and the larger ones are not tried.
 *
 * <p>Usage: {@code scripts/bench-broadcast.sh [steps] [parameter count ...]}
 */
public final class BroadcastBenchmark {
  static final int WARMUP = 2;

  private BroadcastBenchmark() {}

  public static void main(String[] args) throws Exception {
    int steps = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    List<Integer> sizes = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      sizes.add((int) Double.parseDouble(args[i]));
    }
    if (sizes.isEmpty()) {
      sizes.addAll(List.of(100_000, 1_000_000, 3_000_000, 10_000_000, 30_000_000));
    }
    Path work = Files.createTempDirectory("bench-broadcast");
    JavaSparkContext sc = LocalCluster.start("broadcast-benchmark", work,
        Map.of("spark.executor.memory", "900m", "spark.task.maxDirectResultSize", "64m",
            "spark.driver.maxResultSize", "2g"));
    try {
      System.out.printf("local-cluster[2,1,1024], executors of 900m, %d timed steps per size "
          + "(after %d untimed), medians%n", steps, WARMUP);
      System.out.println("| parameters | broadcast bytes | Java serialization alone | driver: "
          + "sc.broadcast | read job (2 tasks fetch) | slowest task's fetch | result job (2 x 4P "
          + "back) | driver add | step total |");
      System.out.println("|---|---|---|---|---|---|---|---|---|");
      FailedTasks failed = new FailedTasks();
      sc.sc().addSparkListener(failed);
      for (int p : sizes) {
        try {
          String row = row(sc, p, steps);
          int lost = failed.count.getAndSet(0);
          if (lost > 0) {
            // an executor ran out of memory and its task was retried on a replacement: the
            // times include restarts, and the size does not fit these executors
            System.out.printf("%s %d failed task(s): did not fit |%n", row, lost);
            break;
          }
          System.out.println(row);
        } catch (RuntimeException | OutOfMemoryError e) {
          System.out.printf("| %,d | did not fit: %s |%n", p, e.toString().split("\n")[0]);
          break;
        }
      }
    } finally {
      LocalCluster.stop(sc);
    }
  }

  static String row(JavaSparkContext sc, int p, int steps) throws IOException {
    float[] params = new float[p];
    SplittableRandom random = new SplittableRandom(p);
    for (int i = 0; i < p; i++) {
      params[i] = (float) (random.nextDouble() - 0.5) * 0.04f; // incompressible, like weights
    }
    long bytes = serializedSize(new StepParameters(0, params));
    double[] serialize = new double[steps];
    for (int s = 0; s < steps; s++) { // the CPU part alone: Java serialization in this JVM
      long t0 = System.nanoTime();
      serializedSize(new StepParameters(s, params));
      serialize[s] = (System.nanoTime() - t0) / 1e6;
    }
    double[] write = new double[steps];
    double[] read = new double[steps];
    double[] fetch = new double[steps];
    double[] result = new double[steps];
    double[] add = new double[steps];
    double[] total = new double[steps];
    List<Integer> two = List.of(0, 1);
    for (int s = -WARMUP; s < steps; s++) {
      long t0 = System.nanoTime();
      Broadcast<StepParameters> b = sc.broadcast(new StepParameters(s, params));
      long t1 = System.nanoTime();
      List<Long> fetchNanos = sc.parallelize(two, 2).mapPartitions(new ReadParameters(b)).collect();
      long t2 = System.nanoTime();
      List<float[]> sums = sc.parallelize(two, 2).mapPartitions(new GradientSized(b)).collect();
      long t3 = System.nanoTime();
      float[] merged = sums.get(0).clone();
      for (int k = 1; k < sums.size(); k++) {
        float[] g = sums.get(k);
        for (int i = 0; i < p; i++) {
          merged[i] += g[i];
        }
      }
      long t4 = System.nanoTime();
      b.destroy();
      if (merged.length != p) {
        throw new IllegalStateException("a result of " + merged.length + " floats");
      }
      if (s >= 0) {
        write[s] = (t1 - t0) / 1e6;
        read[s] = (t2 - t1) / 1e6;
        fetch[s] = fetchNanos.stream().mapToLong(Long::longValue).max().orElse(0) / 1e6;
        result[s] = (t3 - t2) / 1e6;
        add[s] = (t4 - t3) / 1e6;
        total[s] = (t4 - t0) / 1e6;
      }
    }
    return String.format("| %,d | %.1f MB | %.1f ms | %.1f ms | %.1f ms | %.1f ms | %.1f ms | "
        + "%.1f ms | %.1f ms |", p, bytes / 1e6, median(serialize), median(write), median(read),
        median(fetch), median(result), median(add), median(total));
  }

  static long serializedSize(Object o) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(o);
    }
    return bytes.size();
  }

  static double median(double[] xs) {
    double[] s = xs.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  /** Counts failed task attempts (an executor lost to an OutOfMemoryError fails its task). */
  static final class FailedTasks extends org.apache.spark.scheduler.SparkListener {
    final java.util.concurrent.atomic.AtomicInteger count =
        new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public void onTaskEnd(org.apache.spark.scheduler.SparkListenerTaskEnd end) {
      if (end.reason() instanceof org.apache.spark.TaskFailedReason) {
        count.incrementAndGet();
      }
    }
  }

  /** A task that reads the step's parameters and returns how long the fetch took, in ns. */
  static final class ReadParameters implements FlatMapFunction<Iterator<Integer>, Long> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<StepParameters> parameters;

    ReadParameters(Broadcast<StepParameters> parameters) {
      this.parameters = parameters;
    }

    @Override
    public Iterator<Long> call(Iterator<Integer> ignored) {
      long t0 = System.nanoTime();
      float[] v = parameters.value().values();
      long nanos = System.nanoTime() - t0;
      if (v.length == 0) {
        throw new IllegalStateException("no parameters");
      }
      return List.of(nanos).iterator();
    }
  }

  /** A task that returns a float[P] (as a step task returns its gradient sum). */
  static final class GradientSized implements FlatMapFunction<Iterator<Integer>, float[]> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<StepParameters> parameters;

    GradientSized(Broadcast<StepParameters> parameters) {
      this.parameters = parameters;
    }

    @Override
    public Iterator<float[]> call(Iterator<Integer> partition) {
      float[] v = parameters.value().values();
      float[] g = new float[v.length];
      int k = partition.hasNext() ? partition.next() : 0;
      for (int i = 0; i < g.length; i++) {
        g[i] = v[i] * (k + 1); // dense and incompressible
      }
      return List.of(g).iterator();
    }
  }
}
