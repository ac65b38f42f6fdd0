package io.sparkrl.job.driver;

import org.apache.spark.SparkConf;

/**
 * Spark settings the job relies on, applied to the application's SparkConf before the context
 * starts unless the user (spark-submit --conf, spark-defaults.conf, -Dspark.*) set them.
 *
 * <p>{@code spark.task.maxDirectResultSize}: a REINFORCE task returns its gradient sum, ~1.7 MB
 * for the default 2 x LSTM-128 policy. Above Spark's default of 1 MiB a result goes through the
 * block manager (stored by the executor, then fetched by the driver: a second round trip, ~10 ms
 * per task measured on local[2]); 64 MiB keeps every policy up to ~8M parameters direct (Spark
 * caps it at {@code spark.rpc.message.maxSize}, 128 MiB by default).
 */
public final class SparkDefaults {
  static final String MAX_DIRECT_RESULT = "spark.task.maxDirectResultSize";

  private SparkDefaults() {}

  public static SparkConf apply(SparkConf conf) {
    conf.setIfMissing(MAX_DIRECT_RESULT, "64m");
    return conf;
  }
}
