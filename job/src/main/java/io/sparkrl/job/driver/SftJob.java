package io.sparkrl.job.driver;

import io.sparkrl.job.config.JobConfig;
import io.sparkrl.job.output.RunDirectory;
import io.sparkrl.job.config.JobSettings;
import io.sparkrl.policy.PolicySnapshot;
import io.sparkrl.settings.SettingsException;
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
    return engine(config).equals("dl4j-spark") ? Dl4jSparkSft.run(sc, config, dir)
        : GradientSumSft.run(sc, config, dir);
  }

  /** The engine {@code sparkrl.sft.engine} names, {@code auto} resolved. */
  static String engine(JobConfig config) {
    String engine = config.job().sft().engine();
    return !engine.equals("auto") ? engine
        : config.trainer().policy().architecture().equals("lstm") ? "dl4j-spark" : "gradient-sums";
  }

  /**
   * The sft settings that depend on other settings, checked before Spark starts: evaluating
   * within an epoch needs the gradient-sums engine, and evaluating or stopping on held-out
   * accuracy needs held-out prompts.
   */
  public static void check(JobConfig config) {
    JobSettings.Sft sft = config.job().sft();
    if (sft.evalEverySteps() > 0 && engine(config).equals("dl4j-spark")) {
      throw new SettingsException("sparkrl.sft.eval-every-steps", sft.evalEverySteps(),
          "the dl4j-spark engine (the LSTM's) fits whole epochs, so it evaluates after each "
          + "epoch only; set 0, or sparkrl.sft.engine = gradient-sums");
    }
    if (!config.job().corpus().hasEval()) {
      if (sft.stopsAtAccuracy()) {
        throw new SettingsException("sparkrl.sft.stop-at-accuracy", sft.stopAtAccuracy(),
            "stopping on held-out accuracy needs held-out prompts: set sparkrl.corpus.eval");
      }
      if (sft.evalEverySteps() > 0) {
        throw new SettingsException("sparkrl.sft.eval-every-steps", sft.evalEverySteps(),
            "evaluating needs held-out prompts: set sparkrl.corpus.eval");
      }
    }
  }
}
