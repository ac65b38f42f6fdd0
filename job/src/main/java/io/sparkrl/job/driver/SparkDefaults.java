package io.sparkrl.job.driver;

import io.sparkrl.vector.VectorModule;
import org.apache.spark.SparkConf;

/**
 * Spark settings the job relies on, applied to the application's SparkConf before the context
 * starts unless the user (spark-submit --conf, spark-defaults.conf, -Dspark.*) set them.
 *
 * <p>{@code spark.task.maxDirectResultSize}: a REINFORCE task returns its gradient sum, 4 bytes a
 * parameter (~1.7 MB for the default 2 x LSTM-128 policy, 103 MB for a 25.7M-parameter
 * transformer). Above the limit a result goes through the block manager: stored by the executor,
 * then fetched by the driver, a second round trip (~10 ms per task for the LSTM on local[2]; the
 * slowest task's 103 MB result of a transformer step on local[2] reached the driver in 1.06-1.64 s
 * that way and in 0.30-0.85 s directly: the medians of three runs of each,
 * {@code scripts/bench-job.sh 3 small:64}). 120 MiB keeps every
 * policy up to ~31M parameters direct; Spark caps the limit at {@code spark.rpc.message.maxSize},
 * 128 MiB by default, and the margin leaves room for the rest of the task's status message.
 *
 * <p>{@code spark.driver.maxResultSize}: 0 (no limit) instead of Spark's 1 GiB. A step's results
 * are bounded by the job itself, at most {@code run.merge-fan-in} of them whatever the cluster's
 * size, and their size follows from the policy: two task results of a 135M-parameter policy are
 * over 1 GiB, and Spark would abort the first step after its tasks had sampled and differentiated.
 * What guards the driver instead is {@link StepResultBudget}'s check of its heap when a run starts;
 * a limit the user sets is kept, and checked there against the results.
 *
 * <p>{@code spark.broadcast.compress}: false instead of Spark's true. The broadcast a step makes
 * is the policy's parameters, floats whose low bytes LZ4 finds no repeats in: stored compressed,
 * a 25.7M-parameter policy's pieces took 102.9 MB, the same as its 4 bytes a parameter, and the
 * compression cost the driver 60-90 ms of every step (the median {@code driver: broadcast} of
 * {@code scripts/bench-job.sh 5 small:64}: 152-192 ms compressed against 105-125 ms without, in
 * runs of the same session), and every executor the matching decompression. The job's other
 * broadcasts (the policy frame once a run, Spark's task binaries) are small.
 *
 * <p>{@code spark.executor.extraJavaOptions} gains {@code --add-modules=jdk.incubator.vector}
 * unless it names that module already (the user's options are kept, the flag appended): executors
 * sample a transformer with the Vector API's products, 2-2.4x OpenBLAS at a sampler's few rows
 * ({@code SamplingProducts}), only when their JVM loads that module. Executors start after the
 * application's conf is set, on every cluster manager; a local-mode executor is the driver's JVM,
 * which the launch scripts start with the flag ({@code scripts/java-flags.sh}).
 */
public final class SparkDefaults {
  static final String MAX_DIRECT_RESULT = "spark.task.maxDirectResultSize";
  static final String EXECUTOR_JAVA_OPTIONS = "spark.executor.extraJavaOptions";
  static final String MAX_RESULT_SIZE = StepResultBudget.MAX_RESULT_SIZE;
  static final String BROADCAST_COMPRESS = "spark.broadcast.compress";

  private SparkDefaults() {}

  public static SparkConf apply(SparkConf conf) {
    conf.setIfMissing(MAX_DIRECT_RESULT, "120m");
    conf.setIfMissing(MAX_RESULT_SIZE, "0");
    conf.setIfMissing(BROADCAST_COMPRESS, "false");
    String options = conf.get(EXECUTOR_JAVA_OPTIONS, "").trim();
    if (!options.contains(VectorModule.NAME)) {
      String module = "--add-modules=" + VectorModule.NAME;
      conf.set(EXECUTOR_JAVA_OPTIONS, options.isEmpty() ? module : options + " " + module);
    }
    return conf;
  }
}
