package io.sparkrl.job.driver;

import io.sparkrl.settings.SettingsException;
import java.util.Locale;
import org.apache.spark.SparkConf;

/**
 * The least native memory (outside the JVM heap) an executor's tasks hold, checked when a run
 * starts against what YARN and Kubernetes allow a container beyond its heap.
 *
 * <p>Every policy engine keeps a native copy of the parameters for BLAS (the transformer's
 * {@code FastWeights}, the LSTM's DL4J network), 4 bytes a parameter, one per task thread and role
 * ({@code PolicyCache}: the trained policy, and the frozen reference when the loss has a KL term),
 * kept for the executor's life. The backward pass's BLAS operands come on top (hundreds of MB at
 * tens of millions of parameters, see the README), so this floor is far below what a task needs;
 * a run whose floor alone exceeds the overhead would have its containers killed at the first step.
 *
 * <p>YARN and Kubernetes size a container as {@code spark.executor.memory} plus
 * {@code spark.executor.memoryOverhead}, whose default is
 * {@code spark.executor.memoryOverheadFactor} (0.1) of the executor memory, at least 384 MiB
 * (Spark 3.5). Other masters (local, standalone) do not limit native memory and are not checked,
 * nor are GPU executors ({@code spark.executor.resource.gpu.amount}), whose engines keep the
 * parameters on the device.
 */
public record ExecutorNativeFloor(long parameters, int modelsPerTask, int tasksPerExecutor) {
  static final String OVERHEAD = "spark.executor.memoryOverhead";
  static final long MIN_OVERHEAD_MIB = 384;

  /** The floor for executors of {@code spark.executor.cores / spark.task.cpus} tasks. */
  public static ExecutorNativeFloor of(SparkConf conf, long parameters, boolean reference) {
    int cores = conf.getInt("spark.executor.cores", 1);
    int perTask = Math.max(1, conf.getInt("spark.task.cpus", 1));
    return new ExecutorNativeFloor(parameters, reference ? 2 : 1, Math.max(1, cores / perTask));
  }

  /** Bytes of native parameter copies an executor holds once each task slot has run. */
  public long bytes() {
    return 4L * parameters * modelsPerTask * tasksPerExecutor;
  }

  /** Whether {@code master} runs executors in containers that count native memory. */
  static boolean limitsNativeMemory(String master) {
    return master.startsWith("yarn") || master.startsWith("k8s://");
  }

  /** The overhead a container gets beyond its heap, in MiB, as Spark 3.5 sizes it. */
  static long overheadMib(SparkConf conf) {
    if (conf.contains(OVERHEAD)) {
      return conf.getSizeAsMb(OVERHEAD);
    }
    long memory = conf.getSizeAsMb("spark.executor.memory", "1g");
    double factor = conf.getDouble("spark.executor.memoryOverheadFactor", 0.1);
    return Math.max((long) (factor * memory), MIN_OVERHEAD_MIB);
  }

  /** Throws a {@link SettingsException} naming the overhead when the floor exceeds it. */
  public void check(SparkConf conf) {
    String master = conf.get("spark.master", "");
    boolean gpu = conf.getDouble("spark.executor.resource.gpu.amount", 0) > 0;
    if (!limitsNativeMemory(master) || gpu) {
      return;
    }
    long overhead = overheadMib(conf) << 20;
    if (bytes() > overhead) {
      String value = conf.contains(OVERHEAD) ? conf.get(OVERHEAD) : "unset: " + (overhead >> 20)
          + " MiB from spark.executor.memory = " + conf.get("spark.executor.memory", "1g");
      throw new SettingsException(OVERHEAD, value, String.format(Locale.ROOT, "an executor's %d"
          + " task%s each keep %d native cop%s of the %,d parameters for BLAS (%s), more than"
          + " the container's memory beyond the heap: %s would kill it at the first step. Set it"
          + " to at least %s plus the backward pass's native buffers (hundreds of MB a task at"
          + " tens of millions of parameters; scripts/bench-step.sh prints them), or run fewer"
          + " tasks an executor (spark.executor.cores)", tasksPerExecutor,
          tasksPerExecutor > 1 ? "s" : "", modelsPerTask, modelsPerTask > 1 ? "ies" : "y",
          parameters, StepResultBudget.size(bytes()), master.startsWith("yarn") ? "YARN"
              : "Kubernetes", StepResultBudget.size(bytes())));
    }
  }
}
