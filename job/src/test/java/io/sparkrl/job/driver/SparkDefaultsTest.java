package io.sparkrl.job.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

class SparkDefaultsTest {
  @Test
  void raisesTheDirectResultLimitUnlessTheUserSetIt() {
    assertEquals("120m", SparkDefaults.apply(new SparkConf(false)).get(SparkDefaults.MAX_DIRECT_RESULT));
    SparkConf user = new SparkConf(false).set(SparkDefaults.MAX_DIRECT_RESULT, "2m");
    assertEquals("2m", SparkDefaults.apply(user).get(SparkDefaults.MAX_DIRECT_RESULT));
  }

  @Test
  void liftsTheDriversResultLimitUnlessTheUserSetIt() {
    assertEquals("0", SparkDefaults.apply(new SparkConf(false)).get(SparkDefaults.MAX_RESULT_SIZE));
    SparkConf user = new SparkConf(false).set(SparkDefaults.MAX_RESULT_SIZE, "2g");
    assertEquals("2g", SparkDefaults.apply(user).get(SparkDefaults.MAX_RESULT_SIZE));
  }

  @Test
  void broadcastsUncompressedUnlessTheUserSaidOtherwise() {
    assertEquals("false", SparkDefaults.apply(new SparkConf(false)).get(SparkDefaults.BROADCAST_COMPRESS));
    SparkConf user = new SparkConf(false).set(SparkDefaults.BROADCAST_COMPRESS, "true");
    assertEquals("true", SparkDefaults.apply(user).get(SparkDefaults.BROADCAST_COMPRESS));
  }

  @Test
  void executorsLoadTheVectorModuleBesideTheUsersOwnOptions() {
    String key = SparkDefaults.EXECUTOR_JAVA_OPTIONS;
    assertEquals("--add-modules=jdk.incubator.vector",
        SparkDefaults.apply(new SparkConf(false)).get(key));
    SparkConf user = new SparkConf(false).set(key, "-Xss4m -Dx=1");
    assertEquals("-Xss4m -Dx=1 --add-modules=jdk.incubator.vector",
        SparkDefaults.apply(user).get(key));
    // applied twice (or already given by the user): not repeated
    assertEquals("-Xss4m -Dx=1 --add-modules=jdk.incubator.vector",
        SparkDefaults.apply(SparkDefaults.apply(user)).get(key));
    SparkConf given = new SparkConf(false).set(key, "--add-modules jdk.incubator.vector");
    assertEquals("--add-modules jdk.incubator.vector", SparkDefaults.apply(given).get(key));
  }
}
