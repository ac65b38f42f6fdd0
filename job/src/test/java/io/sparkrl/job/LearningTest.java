package io.sparkrl.job;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrl.job.config.JobConfig;
import io.sparkrl.job.driver.ReinforceJob;
import io.sparkrl.job.driver.SftJob;
import io.sparkrl.job.output.RunDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job learns: a partly competent SFT warm start (trained with DL4J Spark here) is improved by
 * REINFORCE alone, measured by greedy accuracy on held-out questions that neither phase trains on.
 */
@Tag("slow") // integration-test phase: mvn verify, not mvn test
class LearningTest {
  /** The embedded conf/local.conf is the recipe (what the quickstart runs); only paths differ. */
  static final List<String> COMMON = List.of("run.partitions=2");

  @Test
  void reinforceRaisesHeldOutAccuracyByFifteenPoints(@TempDir Path tmp) throws Exception {
    JobConfig recipe = JobConfig.load(null, List.of());
    List<String> corpus = TestCorpus.write(tmp.resolve("corpus"),
        recipe.job().arithmetic().maxOperand(), recipe.job().arithmetic().seed(),
        recipe.job().arithmetic().phrasings());
    List<String> files = List.of("corpus.train=\"" + corpus.get(0) + "\"",
        "corpus.eval=\"" + corpus.get(1) + "\"");
    JavaSparkContext sc = LocalSpark.start("learning-test");
    try {
      List<String> sft = new ArrayList<>(COMMON);
      sft.addAll(files);
      sft.add("eval.every=0");
      sft.add("run.dir=\"" + tmp.resolve("sft") + "\"");
      JobConfig sftConfig = JobConfig.load(null, sft);
      try (RunDirectory dir = new RunDirectory(tmp.resolve("sft").toString(), new Configuration())) {
        SftJob.run(sc, sftConfig, dir);
      }
      assertTrue(Files.exists(tmp.resolve("sft/policy.bin")));

      List<String> rl = new ArrayList<>(COMMON);
      rl.addAll(files);
      rl.add("run.dir=\"" + tmp.resolve("rl") + "\"");
      rl.add("run.init-policy=\"" + tmp.resolve("sft/policy.bin") + "\"");
      JobConfig rlConfig = JobConfig.load(null, rl);
      try (RunDirectory dir = new RunDirectory(tmp.resolve("rl").toString(), new Configuration())) {
        ReinforceJob job = ReinforceJob.start(sc, rlConfig, dir);
        double before = job.evaluate();
        job.run(dir);
        double after = job.lastAccuracy();
        job.close();
        System.out.printf("held-out greedy accuracy: SFT %.3f -> REINFORCE %.3f%n", before, after);
        assertTrue(before >= 0.20 && before <= 0.60,
            "the warm start should be partly competent (20-60%), was " + before);
        assertTrue(after >= before + 0.15, "REINFORCE took held-out accuracy from " + before
            + " to " + after + ", less than +15 points");
      }
    } finally {
      sc.stop();
    }
  }
}
