package io.sparkrl.job.bench;

import io.sparkrl.job.config.JobConfig;
import io.sparkrl.job.corpus.ArithmeticTask;
import io.sparkrl.job.driver.ReinforceJob;
import io.sparkrl.job.driver.SparkDefaults;
import io.sparkrl.job.output.RunDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * What reaches the driver per step, against tasks per step: the bytes of every task result the
 * driver receives (Spark's {@code resultSize}: gradient sums at the top of the merge tree, plus
 * shuffle map statuses), with the merge on the driver ({@code run.merge-fan-in} above the task
 * count) and in the tree on the executors (fan-in 8), and the step's time split into tasks
 * (sampling, gradients and any tree levels) and the driver's merge. {@code local[2]}, one native
 * thread per task; G = 1 and 8 new tokens, since the merge's cost depends on the parameters and
 * the task count, not on the sequences.
 *
 * <p>Usage: {@code scripts/bench-merge.sh [steps] [size ...]} (sizes as bench-job.sh names them:
 * {@code default}, {@code small}, ...).
 */
public final class MergeBenchmark {
  /** Tasks per step to measure; {@code -Dbench.tasks=32} (BENCH_JAVA_OPTS) picks others. */
  static final int[] TASKS = java.util.Arrays.stream(
      System.getProperty("bench.tasks", "2,8,32").split(",")).mapToInt(Integer::parseInt).toArray();

  /** Sums the result bytes of every finished task. */
  static final class ResultBytes extends SparkListener {
    private long bytes;

    @Override
    public synchronized void onTaskEnd(SparkListenerTaskEnd end) {
      if (end.taskMetrics() != null) { // null for a task that failed
        bytes += end.taskMetrics().resultSize();
      }
    }

    synchronized long take() throws InterruptedException {
      Thread.sleep(200); // the listener bus is asynchronous
      long b = bytes;
      bytes = 0;
      return b;
    }
  }

  public static void main(String[] args) throws Exception {
    int steps = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    List<String> sizes = args.length > 1 ? List.of(args).subList(1, args.length)
        : List.of("default", "small");
    Path tmp = Files.createTempDirectory("sparkrl-merge-bench");
    JobConfig probe = JobConfig.load(null, List.of());
    List<String> corpus = ArithmeticTask.write(ArithmeticTask.generate(probe.job().arithmetic(),
        probe.job().corpus()), tmp.resolve("corpus").toString(), new Configuration());
    JavaSparkContext sc = new JavaSparkContext(SparkDefaults.apply(new SparkConf()
        .setMaster("local[2]").setAppName("sparkrl-merge-bench").set("spark.ui.enabled", "false")));
    sc.setLogLevel("WARN");
    ResultBytes listener = new ResultBytes();
    sc.sc().addSparkListener(listener);
    System.out.println("size, tasks/step, merge, driver inbound bytes/step, step ms, tasks ms"
        + " (incl. tree levels), driver merge ms (medians over " + steps + " steps after one)");
    int run = 0;
    for (String size : sizes) {
      for (int tasks : TASKS) {
        for (int fanIn : tasks > 8 ? new int[] {1024, 8} : new int[] {1024}) {
          List<String> o = new ArrayList<>(SparkOverheadBenchmark.named(
              List.of(size + ":32"), 1));
          o.addAll(List.of("sampling.group-size=1", "sampling.max-new-tokens=8",
              "advantage.estimator=ema", "run.tasks-per-step=" + tasks,
              "run.merge-fan-in=" + fanIn, "corpus.train=\"" + corpus.get(0) + "\"",
              "corpus.eval=\"\"", "run.dir=\"" + tmp.resolve("run-" + run++) + "\"",
              "run.partitions=2", "run.steps=" + (steps + 1)));
          JobConfig config = JobConfig.load(null, o);
          ReinforceJob job = ReinforceJob.start(sc, config,
              new RunDirectory(config.job().run().dir(), new Configuration()));
          int parameters = job.policy().parameters().length;
          String merge = fanIn >= tasks ? "driver" : "tree F=" + fanIn;
          try {
            job.step(); // warm-up
          } catch (Exception e) { // SparkException, thrown unchecked through Scala
            // e.g. the results of all tasks together exceed spark.driver.maxResultSize
            System.out.printf("%s (%,d params), %d, %s, failed: %s%n", size, parameters, tasks,
                merge, String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
            job.close();
            listener.take();
            continue;
          }
          listener.take();
          double[] bytes = new double[steps];
          double[] stepMs = new double[steps];
          double[] tasksMs = new double[steps];
          double[] mergeMs = new double[steps];
          for (int s = 0; s < steps; s++) {
            var r = job.step();
            bytes[s] = listener.take();
            stepMs[s] = r.phases().stepMs();
            tasksMs[s] = r.phases().tasksMs();
            mergeMs[s] = r.phases().mergeMs();
          }
          job.close();
          System.out.printf("%s (%,d params), %d, %s, %,.0f, %.0f, %.0f, %.1f%n", size, parameters,
              tasks, merge, median(bytes), median(stepMs),
              median(tasksMs), median(mergeMs));
        }
      }
    }
    sc.stop();
  }

  static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }
}
