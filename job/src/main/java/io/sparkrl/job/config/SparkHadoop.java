package io.sparkrl.job.config;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;

/**
 * The Hadoop configuration a Spark application will have: core-site.xml and the rest plus every
 * {@code spark.hadoop.*} entry (and Spark's AWS environment variables), as
 * {@code sc.hadoopConfiguration()} will have it. The checks before Spark starts and the run
 * directory use it, so an s3a:// run looks for its corpus on the endpoint its jobs will use (a plain
 * {@code new Configuration()} does not read {@code spark.hadoop.*}).
 */
public final class SparkHadoop {
  private SparkHadoop() {}

  public static Configuration configuration(SparkConf conf) {
    return org.apache.spark.deploy.SparkHadoopUtil.get().newConfiguration(conf);
  }
}
