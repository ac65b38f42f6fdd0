package io.sparkrl.job.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sparkrl.job.config.JobConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The benchmark's size:batch names mean what bench-step.sh means by them. */
class SparkOverheadBenchmarkTest {
  @Test
  void namedSizesExpandToTheirSettings() {
    JobConfig large = JobConfig.load(null, SparkOverheadBenchmark.named(List.of("large:64"), 8));
    assertEquals(512, large.trainer().policy().hiddenSize());
    assertEquals(2, large.trainer().policy().layers());
    assertEquals(8, large.job().run().promptsPerStep());
    assertEquals(0.01, large.trainer().loss().entropyCoefficient());
    // a key=value after the name overrides it
    JobConfig small = JobConfig.load(null,
        SparkOverheadBenchmark.named(List.of("default:16", "policy.hidden-size=64"), 8));
    assertEquals(64, small.trainer().policy().hiddenSize());
    assertEquals(2, small.job().run().promptsPerStep());
  }

  @Test
  void badNamesAreRejected() {
    for (String bad : List.of("huge:16", "default:12", "default", "large:x")) {
      assertThrows(IllegalArgumentException.class,
          () -> SparkOverheadBenchmark.named(List.of(bad), 8), bad);
    }
  }
}
