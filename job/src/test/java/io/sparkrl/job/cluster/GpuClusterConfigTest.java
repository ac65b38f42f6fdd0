package io.sparkrl.job.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sparkrl.job.config.JobConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** conf/gpu-cluster.conf passes the unknown-key check and means what its comments say. */
class GpuClusterConfigTest {
  @Test
  void theShippedGpuConfigurationIsValid() {
    JobConfig gpu = JobConfig.load("../conf/gpu-cluster.conf", List.of());
    assertEquals(1024, gpu.job().run().promptsPerStep());
    assertEquals(256, gpu.trainer().sampling().maxBatchSequences());
    assertEquals(io.sparkrl.sampling.SamplingDevice.NETWORK, gpu.trainer().sampling().device());
    int perTask = gpu.job().run().promptsPerStep() / gpu.job().run().tasksPerStep();
    // 64 prompts per task, 32 per pass (256 / G = 8): two passes
    assertEquals(32, gpu.trainer().sampling().promptsPerPass(perTask));
  }
}
