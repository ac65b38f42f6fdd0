package io.sparkrl.job.executor;

import io.sparkrl.gradient.OpenBlasCore;
import io.sparkrl.policy.DeviceBinding;
import io.sparkrl.sampling.SamplingDevice;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds a task's ND4J work to the GPU Spark assigned it ({@code spark.task.resource.gpu.amount};
 * the addresses come from the executor's discovery script), before the task builds or refreshes a
 * policy. Without a GPU resource, or on the CPU backend, the binding is a logged no-op.
 */
public final class TaskDevice {
  /** Spark's resource name for GPUs, as in {@code spark.executor.resource.gpu.amount}. */
  public static final String RESOURCE = "gpu";

  private static final Logger LOG = LoggerFactory.getLogger(TaskDevice.class);
  /** Whether this JVM has said whether its OpenBLAS runs below its best kernels (once). */
  private static final AtomicBoolean BLAS_CHECKED = new AtomicBoolean();

  private TaskDevice() {}

  /**
   * Binds the calling task thread; one INFO line per task says to what, and which sampling path
   * ({@code sparkrl.sampling.device}, resolved on the loaded backend) the task's sampler takes.
   * The first task of a JVM also warns when that JVM's OpenBLAS runs its AVX2 kernels on an
   * AVX-512 CPU ({@link OpenBlasCore}).
   */
  public static DeviceBinding.Bound bind(SamplingDevice sampling) {
    if (BLAS_CHECKED.compareAndSet(false, true)) {
      OpenBlasCore.advice().ifPresent(advice -> LOG.warn("executor: {}", advice));
    }
    TaskContext task = TaskContext.get();
    ResourceInformation gpu = task == null ? null : task.resourcesJMap().get(RESOURCE);
    List<String> addresses = gpu == null ? List.of() : List.of(gpu.addresses());
    DeviceBinding.Bound bound = DeviceBinding.nd4j().bind(addresses);
    if (task != null) {
      LOG.info("task {} (stage {}, partition {}): {}; sampling: {} (sampling.device = {})",
          task.taskAttemptId(), task.stageId(), task.partitionId(), bound.description(),
          sampling.onLoadedBackend().configName(), sampling.configName());
    }
    return bound;
  }
}
