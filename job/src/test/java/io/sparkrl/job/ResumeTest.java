package io.sparkrl.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrl.job.config.JobConfig;
import io.sparkrl.job.driver.ReinforceJob;
import io.sparkrl.job.output.RunDirectory;
import io.sparkrl.policy.PolicySnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run stopped after its checkpoint and resumed ends bit-identical to an uninterrupted run. */
class ResumeTest {
  @TempDir static Path tmp;
  static JavaSparkContext sc;
  static List<String> corpus;

  @BeforeAll
  static void start() throws Exception {
    corpus = TestCorpus.write(tmp.resolve("corpus"), 9, 5);
    sc = LocalSpark.start("resume-test");
  }

  @AfterAll
  static void stop() {
    sc.stop();
  }

  static JobConfig config(Path dir, int steps) {
    return JobConfig.load(null, List.of("corpus.train=\"" + corpus.get(0) + "\"",
        "corpus.eval=\"" + corpus.get(1) + "\"", "eval.every=2", "run.partitions=2",
        "run.prompts-per-step=4", "run.dir=\"" + dir + "\"", "run.steps=" + steps,
        "run.checkpoint-every=2", "policy.hidden-size=16", "policy.embedding-size=8",
        "sampling.group-size=4", "sampling.max-new-tokens=8", "advantage.estimator=ema",
        "optimizer.learning-rate=0.01"));
  }

  static PolicySnapshot train(Path dir, int steps) throws Exception {
    JobConfig c = config(dir, steps);
    try (RunDirectory out = new RunDirectory(dir.toString(), new Configuration())) {
      ReinforceJob job = ReinforceJob.start(sc, c, out);
      job.run(out);
      job.close();
      return job.policy();
    }
  }

  @Test
  void resumedRunEqualsUninterruptedRun() throws Exception {
    PolicySnapshot straight = train(tmp.resolve("straight"), 5);
    train(tmp.resolve("resumed"), 2); // "killed" after step 2's checkpoint
    PolicySnapshot resumed = train(tmp.resolve("resumed"), 5);
    assertEquals(5, straight.step());
    assertEquals(5, resumed.step());
    assertArrayEquals(straight.parameters(), resumed.parameters());

    Path dir = tmp.resolve("resumed");
    assertTrue(Files.isDirectory(dir.resolve("checkpoints/step-00000004")));
    assertTrue(Files.exists(dir.resolve("checkpoints/step-00000005/optimizer.bin")));
    assertTrue(Files.exists(dir.resolve("policy.bin")));
    List<String> metrics = Files.readAllLines(dir.resolve("metrics.jsonl"));
    // the initial evaluation, then exactly one line per step: none lost or repeated by the resume
    assertEquals(6, metrics.size(), String.join("\n", metrics));
    assertTrue(metrics.get(5).contains("\"step\":4") && metrics.get(5).contains("eval_accuracy"));
    assertTrue(metrics.get(1).contains("\"phases\":{\"broadcast_ms\""), metrics.get(1));
  }
}
