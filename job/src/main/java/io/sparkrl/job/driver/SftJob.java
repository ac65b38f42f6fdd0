package io.sparkrl.job.driver;

import io.sparkrl.job.config.JobConfig;
import io.sparkrl.job.output.RunDirectory;
import io.sparkrl.policy.PolicySnapshot;
import java.io.IOException;

/**
 * The supervised warm start: maximum likelihood of the reference completions, written as a policy
 * file a REINFORCE run starts from. {@code sparkrl.sft.engine} chooses how: {@code dl4j-spark}
 * ({@link Dl4jSparkSft}: DL4J Spark's parameter averaging; the LSTM only) or {@code gradient-sums}
 * ({@link GradientSumSft}: the REINFORCE step's machinery, any architecture); {@code auto} is
 * {@code dl4j-spark} for the LSTM and {@code gradient-sums} otherwise.
 */
public final class SftJob {
  private SftJob() {}

  public static PolicySnapshot run(org.apache.spark.api.java.JavaSparkContext sc, JobConfig config,
      RunDirectory dir) throws IOException {
    String engine = config.job().sft().engine();
    if (engine.equals("auto")) {
      engine = config.trainer().policy().architecture().equals("lstm") ? "dl4j-spark"
          : "gradient-sums";
    }
    return engine.equals("dl4j-spark") ? Dl4jSparkSft.run(sc, config, dir)
        : GradientSumSft.run(sc, config, dir);
  }
}
