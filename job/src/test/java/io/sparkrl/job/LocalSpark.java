package io.sparkrl.job;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/** A local[2] Spark context for tests: two task threads, like the CI machine's two cores. */
final class LocalSpark {
  private LocalSpark() {}

  static JavaSparkContext start(String name) {
    return new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName(name)
        .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
        .set("spark.driver.bindAddress", "127.0.0.1"));
  }
}
