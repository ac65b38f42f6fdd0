package io.sparkrl.job.driver;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrl.settings.SettingsException;
import java.util.List;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

class ExecutorNativeFloorTest {
  static final long SMOLLM2 = 134_515_008;
  static final long MIB = 1 << 20;

  @Test
  void theOverheadIsSparksDefaultUnlessSet() {
    assertEquals(384 * MIB, ExecutorNativeFloor.overheadBytes(new SparkConf(false)));
    SparkConf eight = new SparkConf(false).set("spark.executor.memory", "8g");
    assertEquals(819 * MIB, ExecutorNativeFloor.overheadBytes(eight));
    assertEquals(1638 * MIB, ExecutorNativeFloor.overheadBytes(eight.clone()
        .set("spark.executor.memoryOverheadFactor", "0.2")));
    // Kubernetes' own factor when the executor one is not set; ignored elsewhere
    SparkConf k8s = eight.clone().set("spark.master", "k8s://https://cluster:6443")
        .set("spark.kubernetes.memoryOverheadFactor", "0.4");
    assertEquals(3276 * MIB, ExecutorNativeFloor.overheadBytes(k8s));
    assertEquals(819 * MIB, ExecutorNativeFloor.overheadBytes(k8s.clone()
        .set("spark.master", "yarn")));
    // a plain number is MiB, as Spark reads it
    assertEquals(600 * MIB, ExecutorNativeFloor.overheadBytes(new SparkConf(false)
        .set(ExecutorNativeFloor.OVERHEAD, "600")));
    assertEquals(4096 * MIB, ExecutorNativeFloor.overheadBytes(eight.clone()
        .set(ExecutorNativeFloor.OVERHEAD, "4g")));
    // enabled off-heap memory enlarges the container
    assertEquals(819 * MIB + 2048 * MIB, ExecutorNativeFloor.overheadBytes(eight.clone()
        .set("spark.memory.offHeap.enabled", "true").set("spark.memory.offHeap.size", "2g")));
    assertEquals(819 * MIB, ExecutorNativeFloor.overheadBytes(eight.clone()
        .set("spark.memory.offHeap.size", "2g")));
  }

  @Test
  void aThreadHoldsOneCopyPerRoleAndAnExecutorOnePerSlot() {
    SparkConf conf = new SparkConf(false).set("spark.executor.cores", "4");
    assertEquals(4L * 1000, ExecutorNativeFloor.of(conf, 1000, false).threadBytes());
    assertEquals(4L * 1000 * 2, ExecutorNativeFloor.of(conf, 1000, true).threadBytes());
    assertEquals(4L * 1000 * 4, ExecutorNativeFloor.of(conf, 1000, false).slotsBytes());
    assertEquals(4L * 1000 * 2, ExecutorNativeFloor.of(conf.clone().set("spark.task.cpus", "2"),
        1000, false).slotsBytes());
  }

  @Test
  void aContainerTooSmallForOneTasksCopiesIsRefusedOnYarnAndKubernetes() {
    // SmolLM2-135M with a KL reference on 2 GB executors: 2 x 538 MB against 384 MiB
    for (String master : List.of("yarn", "k8s://https://cluster:6443")) {
      SparkConf conf = new SparkConf(false).set("spark.master", master)
          .set("spark.executor.memory", "2g");
      SettingsException e = assertThrows(SettingsException.class,
          () -> ExecutorNativeFloor.of(conf, SMOLLM2, true).check(conf));
      assertEquals(ExecutorNativeFloor.OVERHEAD, e.key());
      assertTrue(e.getMessage().startsWith("spark.executor.memoryOverhead = \"unset: 384.0 MiB"
          + " with spark.executor.memory = 2g\": a task keeps 2 native copies of the 134,515,008"
          + " parameters for BLAS (1.00 GiB)"), e.getMessage());
      assertTrue(e.getMessage().contains(master.equals("yarn") ? "YARN" : "Kubernetes"));
      assertDoesNotThrow(() -> ExecutorNativeFloor.of(conf, SMOLLM2, true)
          .check(conf.clone().set(ExecutorNativeFloor.OVERHEAD, "2g")));
    }
    // GPU executors keep the parameters on the device: not checked
    SparkConf gpu = new SparkConf(false).set("spark.master", "yarn")
        .set("spark.executor.resource.gpu.amount", "1");
    assertDoesNotThrow(() -> ExecutorNativeFloor.of(gpu, SMOLLM2, true).check(gpu));
    // local and standalone masters do not limit native memory
    for (String master : List.of("local[2]", "spark://host:7077", "local-cluster[2,1,1024]")) {
      SparkConf conf = new SparkConf(false).set("spark.master", master);
      assertDoesNotThrow(() -> ExecutorNativeFloor.of(conf, SMOLLM2, true).check(conf));
    }
  }

  @Test
  void allSlotsCopiesAboveTheOverheadAreAWarningNotARefusal() {
    // SmolLM2-135M on 4-core executors of 8 GB: one task's copy (538 MB) fits in 819 MiB,
    // four do not
    SparkConf conf = new SparkConf(false).set("spark.master", "yarn")
        .set("spark.executor.cores", "4").set("spark.executor.memory", "8g");
    ExecutorNativeFloor floor = ExecutorNativeFloor.of(conf, SMOLLM2, false);
    assertDoesNotThrow(() -> floor.check(conf));
    String warning = floor.slotsWarning(ExecutorNativeFloor.overheadBytes(conf), "unset", "YARN");
    assertNotNull(warning);
    assertTrue(warning.contains("its 4 task slots at once keeps 2.00 GiB of native parameter"
        + " copies (513.1 MiB a task)"), warning);
    assertNull(floor.slotsWarning(4096 * MIB, "4g", "YARN"));
  }
}
