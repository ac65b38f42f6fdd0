package io.sparkrl.job.driver;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrl.settings.SettingsException;
import java.util.List;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

class ExecutorNativeFloorTest {
  static final long SMOLLM2 = 134_515_008;

  @Test
  void theOverheadIsSparksDefaultUnlessSet() {
    assertEquals(384, ExecutorNativeFloor.overheadMib(new SparkConf(false)));
    assertEquals(819, ExecutorNativeFloor.overheadMib(new SparkConf(false)
        .set("spark.executor.memory", "8g")));
    assertEquals(1638, ExecutorNativeFloor.overheadMib(new SparkConf(false)
        .set("spark.executor.memory", "8g").set("spark.executor.memoryOverheadFactor", "0.2")));
    // a plain number is MiB, as Spark reads it
    assertEquals(600, ExecutorNativeFloor.overheadMib(new SparkConf(false)
        .set(ExecutorNativeFloor.OVERHEAD, "600")));
    assertEquals(4096, ExecutorNativeFloor.overheadMib(new SparkConf(false)
        .set("spark.executor.memory", "8g").set(ExecutorNativeFloor.OVERHEAD, "4g")));
  }

  @Test
  void theFloorIsOneParameterCopyPerTaskSlotAndRole() {
    SparkConf conf = new SparkConf(false).set("spark.executor.cores", "4");
    assertEquals(4L * 1000 * 4, ExecutorNativeFloor.of(conf, 1000, false).bytes());
    assertEquals(4L * 1000 * 4 * 2, ExecutorNativeFloor.of(conf, 1000, true).bytes());
    assertEquals(4L * 1000 * 2, ExecutorNativeFloor.of(conf.clone().set("spark.task.cpus", "2"),
        1000, false).bytes());
  }

  @Test
  void aContainerTooSmallForTheCopiesIsRefusedOnYarnAndKubernetes() {
    // SmolLM2-135M on 4-core executors of 8 GB: 4 x 538 MB of copies, 819 MiB of overhead
    for (String master : new String[] {"yarn", "k8s://https://cluster:6443"}) {
      SparkConf conf = new SparkConf(false).set("spark.master", master)
          .set("spark.executor.cores", "4").set("spark.executor.memory", "8g");
      SettingsException e = assertThrows(SettingsException.class,
          () -> ExecutorNativeFloor.of(conf, SMOLLM2, false).check(conf));
      assertEquals(ExecutorNativeFloor.OVERHEAD, e.key());
      assertTrue(e.getMessage().startsWith("spark.executor.memoryOverhead = \"unset: 819 MiB from"
          + " spark.executor.memory = 8g\": an executor's 4 tasks each keep 1 native copy of the"
          + " 134,515,008 parameters for BLAS (2.00 GiB)"), e.getMessage());
      assertTrue(e.getMessage().contains(master.equals("yarn") ? "YARN" : "Kubernetes"));
      assertDoesNotThrow(() -> ExecutorNativeFloor.of(conf, SMOLLM2, false)
          .check(conf.clone().set(ExecutorNativeFloor.OVERHEAD, "4g")));
    }
    // GPU executors keep the parameters on the device: not checked
    SparkConf gpu = new SparkConf(false).set("spark.master", "yarn")
        .set("spark.executor.cores", "4").set("spark.executor.resource.gpu.amount", "1");
    assertDoesNotThrow(() -> ExecutorNativeFloor.of(gpu, SMOLLM2, false).check(gpu));
    // local and standalone masters do not limit native memory
    for (String master : List.of("local[2]", "spark://host:7077", "local-cluster[2,1,1024]")) {
      SparkConf conf = new SparkConf(false).set("spark.master", master)
          .set("spark.executor.cores", "4");
      assertDoesNotThrow(() -> ExecutorNativeFloor.of(conf, SMOLLM2, true).check(conf));
    }
  }
}
