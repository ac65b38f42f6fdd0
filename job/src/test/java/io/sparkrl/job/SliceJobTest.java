package io.sparkrl.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrl.job.driver.SliceJob;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** One task per slice, results in slice order, task failures surfacing as job failures. */
class SliceJobTest {
  static JavaSparkContext sc;

  @BeforeAll
  static void start() {
    sc = LocalSpark.start("slice-job-test");
  }

  @AfterAll
  static void stop() {
    sc.stop();
  }

  @Test
  void eachSliceIsOneTaskAndResultsComeBackInSliceOrder() {
    List<List<Integer>> slices = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      slices.add(List.of(i, i * i));
    }
    List<String> results = SliceJob.run(sc, slices,
        slice -> slice.get(0) + ":" + slice.get(1) + "@" + TaskContext.getPartitionId(), String.class);
    assertEquals(7, results.size());
    for (int i = 0; i < 7; i++) {
      // slice i ran alone, as partition i
      assertEquals(i + ":" + i * i + "@" + i, results.get(i));
    }
  }

  @Test
  void aFailingSliceFailsTheJobWithItsCause() {
    SparkException e = assertThrows(SparkException.class, () -> SliceJob.run(sc,
        List.of(1, 2, 3), slice -> {
          if (slice == 2) {
            throw new IllegalStateException("slice two is bad");
          }
          return slice;
        }, Integer.class));
    assertTrue(e.getMessage().contains("slice two is bad"), e.getMessage());
  }

  @Test
  void noSlicesIsAnError() {
    assertThrows(IllegalArgumentException.class,
        () -> SliceJob.run(sc, List.<Integer>of(), slice -> slice, Integer.class));
  }
}
