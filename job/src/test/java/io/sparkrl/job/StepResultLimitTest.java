package io.sparkrl.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code spark.driver.maxResultSize} that one step's gradient sums exceed stops the job with
 * exit code 2 when it starts, naming the key and the size it needs, before any step has sampled:
 * Spark itself would abort the first step after its tasks ran. Without the setting the same run
 * trains (the job lifts Spark's 1 GiB default and checks the driver's heap instead).
 */
class StepResultLimitTest {
  @TempDir static Path tmp;
  static String train;

  @BeforeAll
  static void corpus() throws Exception {
    train = TestCorpus.write(tmp.resolve("corpus"), 9, 1).get(0);
  }

  /** Two tasks a step (local[*] or any master), a transformer, an entropy term: non-zero sums. */
  static MainOutcome run(String command, Path dir) {
    return MainOutcome.run(command, "corpus.train=\"" + train + "\"", "corpus.eval=\"\"",
        "run.dir=\"" + dir + "\"", "run.steps=1", "run.partitions=2", "run.prompts-per-step=2",
        "run.tasks-per-step=2", "policy.architecture=transformer",
        "policy.transformer.model-width=64", "policy.transformer.layers=2", "sampling.group-size=2",
        "sampling.max-new-tokens=4", "loss.entropy-coefficient=0.01", "sft.epochs=1",
        "sft.batch-size=4");
  }

  @Test
  void aLimitTheResultsExceedStopsTheRunBeforeItsFirstStep() throws Exception {
    System.setProperty("spark.driver.maxResultSize", "64k");
    try {
      for (String command : List.of("reinforce", "sft")) {
        Path dir = tmp.resolve("limited-" + command);
        MainOutcome o = run(command, dir);
        assertEquals(Main.BAD_CONFIGURATION, o.code(), o.err());
        assertTrue(o.err().startsWith("configuration error: spark.driver.maxResultSize ="
            + " \"64k\": each step returns at least"), o.err());
        assertTrue(o.err().contains("2 task results of 1 gradient sum x 4 bytes"), o.err());
        assertTrue(o.err().contains("sparkrl.run.tasks-per-step = 2"), o.err());
        // no step ran: no metrics line, no checkpoint
        Path metrics = dir.resolve("metrics.jsonl");
        assertTrue(!Files.exists(metrics) || Files.readAllLines(metrics).isEmpty(), command);
        assertFalse(Files.exists(dir.resolve("checkpoints").resolve("step-00000001")), command);
      }
    } finally {
      System.clearProperty("spark.driver.maxResultSize");
    }
  }

  @Test
  void withoutALimitTheSameRunTrains() throws Exception {
    Path dir = tmp.resolve("unlimited");
    MainOutcome o = run("reinforce", dir);
    assertEquals(Main.OK, o.code(), o.err());
    assertEquals(1, Files.readAllLines(dir.resolve("metrics.jsonl")).size());
  }
}
