package io.sparkrl.job.driver;

import io.sparkrl.settings.SettingsException;
import java.util.Locale;
import org.apache.spark.SparkConf;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The least native memory (outside the JVM heap) an executor's tasks hold, checked when a run
 * starts against what YARN and Kubernetes allow a container beyond its heap.
 *
 * <p>Every policy engine keeps a native copy of the parameters for BLAS, 4 bytes a parameter (the
 * transformer's {@code FastWeights}, through JavaCPP; the LSTM's DL4J network and its own copy),
 * one per task thread and role ({@code PolicyCache}: the trained policy, and the frozen reference
 * when the loss has a KL term), kept while the thread lives (Spark's task threads end after a
 * minute idle). The backward pass's BLAS operands come on top (hundreds of MB a task at tens of
 * millions of parameters, see the README). An executor that runs any task holds at least one
 * thread's copies: a container whose overhead cannot hold even those is killed at the first step,
 * and the run is refused. An executor whose task slots all run at once holds a thread's copies per
 * slot; that figure above the overhead is logged as a warning (how many tasks an executor runs at
 * once depends on the scheduler and the task count).
 *
 * <p>YARN and Kubernetes size a container as {@code spark.executor.memory} plus
 * {@code spark.executor.memoryOverhead}, whose default is
 * {@code spark.executor.memoryOverheadFactor} ({@code spark.kubernetes.memoryOverheadFactor} on
 * Kubernetes when only that is set; 0.1) of the executor memory, at least 384 MiB, plus
 * {@code spark.memory.offHeap.size} when off-heap memory is enabled (Spark 3.5). Other masters
 * (local, standalone) do not limit native memory and are not checked, nor are GPU executors
 * ({@code spark.executor.resource.gpu.amount}), whose engines keep the parameters on the device.
 */
public record ExecutorNativeFloor(long parameters, int modelsPerTask, int taskSlots) {
  private static final Logger LOG = LoggerFactory.getLogger(ExecutorNativeFloor.class);
  static final String OVERHEAD = "spark.executor.memoryOverhead";
  static final long MIN_OVERHEAD_MIB = 384;

  /** The floor for executors of {@code spark.executor.cores / spark.task.cpus} task slots. */
  public static ExecutorNativeFloor of(SparkConf conf, long parameters, boolean reference) {
    int cores = conf.getInt("spark.executor.cores", 1);
    int perTask = Math.max(1, conf.getInt("spark.task.cpus", 1));
    return new ExecutorNativeFloor(parameters, reference ? 2 : 1, Math.max(1, cores / perTask));
  }

  /** Bytes of native parameter copies one task thread holds. */
  public long threadBytes() {
    return 4L * parameters * modelsPerTask;
  }

  /** Bytes of native parameter copies an executor holds once all its slots have run at once. */
  public long slotsBytes() {
    return threadBytes() * taskSlots;
  }

  /** Whether {@code master} runs executors in containers that count native memory. */
  static boolean limitsNativeMemory(String master) {
    return master.startsWith("yarn") || master.startsWith("k8s://");
  }

  /** The memory a container gets beyond its heap, in bytes, as Spark 3.5 sizes it. */
  static long overheadBytes(SparkConf conf) {
    long overheadMib;
    if (conf.contains(OVERHEAD)) {
      overheadMib = conf.getSizeAsMb(OVERHEAD);
    } else {
      long memory = conf.getSizeAsMb("spark.executor.memory", "1g");
      String factorKey = !conf.contains("spark.executor.memoryOverheadFactor")
          && conf.get("spark.master", "").startsWith("k8s://")
          && conf.contains("spark.kubernetes.memoryOverheadFactor")
          ? "spark.kubernetes.memoryOverheadFactor" : "spark.executor.memoryOverheadFactor";
      double factor = conf.getDouble(factorKey, 0.1);
      overheadMib = Math.max((long) (factor * memory), MIN_OVERHEAD_MIB);
    }
    long offHeap = conf.getBoolean("spark.memory.offHeap.enabled", false)
        ? conf.getSizeAsBytes("spark.memory.offHeap.size", "0") : 0;
    return (overheadMib << 20) + offHeap;
  }

  /** Whether the executors are checked: CPU executors in YARN or Kubernetes containers. */
  static boolean checked(SparkConf conf) {
    return limitsNativeMemory(conf.get("spark.master", ""))
        && conf.getDouble("spark.executor.resource.gpu.amount", 0) <= 0;
  }

  /**
   * Throws a {@link SettingsException} naming the overhead when one task thread's copies exceed
   * it; logs a warning when all the slots' copies do.
   */
  public void check(SparkConf conf) {
    if (!checked(conf)) {
      return;
    }
    long overhead = overheadBytes(conf);
    String value = conf.contains(OVERHEAD) ? conf.get(OVERHEAD) : "unset: "
        + StepResultBudget.size(overhead) + " with spark.executor.memory = "
        + conf.get("spark.executor.memory", "1g");
    String manager = conf.get("spark.master", "").startsWith("yarn") ? "YARN" : "Kubernetes";
    if (threadBytes() > overhead) {
      throw new SettingsException(OVERHEAD, value, String.format(Locale.ROOT, "a task keeps %d"
          + " native cop%s of the %,d parameters for BLAS (%s), more than the container's memory"
          + " beyond the heap: %s would kill an executor at its first task. Set it to at least %s"
          + " per task an executor runs at once, plus the backward pass's native buffers (hundreds"
          + " of MB a task at tens of millions of parameters; scripts/bench-step.sh prints them)",
          modelsPerTask, modelsPerTask > 1 ? "ies" : "y", parameters,
          StepResultBudget.size(threadBytes()), manager, StepResultBudget.size(threadBytes())));
    }
    String warning = slotsWarning(overhead, value, manager);
    if (warning != null) {
      LOG.warn(warning);
    }
  }

  /** The warning for all slots' copies above {@code overhead}, or null. */
  String slotsWarning(long overhead, String value, String manager) {
    if (slotsBytes() <= overhead) {
      return null;
    }
    return String.format(Locale.ROOT, "%s = %s: an executor running its %d task slots at once keeps"
        + " %s of native parameter copies (%s a task), more than the container's memory beyond the"
        + " heap: %s would kill it then. Raise %s, or lower spark.executor.cores", OVERHEAD,
        value, taskSlots, StepResultBudget.size(slotsBytes()), StepResultBudget.size(threadBytes()),
        manager, OVERHEAD);
  }
}
