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
}
