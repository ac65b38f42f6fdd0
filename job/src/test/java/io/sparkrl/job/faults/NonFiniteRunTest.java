package io.sparkrl.job.faults;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkrl.job.Main;
import io.sparkrl.job.corpus.JsonLines;
import io.sparkrl.step.PromptSchedule;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rewards that overflow the gradient to infinity, through {@code Main} on local[2]: a step with a
 * non-finite loss or gradient is skipped and counted, and K such steps in a row stop the run with
 * exit code 4.
 */
class NonFiniteRunTest {
  static final int PROMPTS_PER_STEP = 4;
  static final long SEED = 3;
  @TempDir static Path tmp;
  static String train;

  @BeforeAll
  static void start() throws Exception {
    train = io.sparkrl.job.TestCorpus.write(tmp.resolve("corpus"), 9, 1).get(0);
    System.setProperty("spark.master", "local[2]");
    System.setProperty("spark.ui.enabled", "false");
  }

  @AfterAll
  static void stop() {
    System.clearProperty("spark.master");
    System.clearProperty("spark.ui.enabled");
  }

  record Run(int code, String stderr, List<JsonNode> metrics) {}

  static Run reinforce(Path dir, String reward, int steps, int maxSkipped) throws Exception {
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    int code;
    try {
      code = Main.run(new String[] {"reinforce", "corpus.train=\"" + train + "\"",
          "corpus.eval=\"\"", "run.dir=\"" + dir + "\"", "run.seed=" + SEED,
          "run.steps=" + steps, "run.checkpoint-every=1", "run.keep-checkpoints=0", "run.partitions=2",
          "run.prompts-per-step=" + PROMPTS_PER_STEP, "policy.hidden-size=12",
          "policy.embedding-size=4", "policy.layers=1", "sampling.group-size=2",
          "sampling.max-new-tokens=6", "advantage.estimator=none",
          "reward.functions=[{name=" + reward + ",weight=1}]",
          "trainer.max-consecutive-skipped-steps=" + maxSkipped});
    } finally {
      System.setErr(err);
    }
    List<JsonNode> metrics = new ArrayList<>();
    ObjectMapper json = new ObjectMapper();
    for (String line : Files.readAllLines(dir.resolve("metrics.jsonl"))) {
      metrics.add(json.readTree(line));
    }
    return new Run(code, captured.toString(StandardCharsets.UTF_8), metrics);
  }

  /** The steps whose batch holds a poisoned prompt, from the prompt schedule alone. */
  static TreeSet<Long> poisonedSteps(int steps) throws Exception {
    List<String> lines = Files.readAllLines(Path.of(java.net.URI.create(train)));
    JsonLines format = new JsonLines("prompt", "answer", "completion", false);
    PromptSchedule schedule = new PromptSchedule(lines.size(), PROMPTS_PER_STEP, SEED);
    TreeSet<Long> bad = new TreeSet<>();
    for (long s = 0; s < steps; s++) {
      for (int id = 0; id < lines.size(); id++) {
        if (schedule.inSteps(id, s, 1) && PoisonPromptReward.poisoned(format.parse(lines.get(id)).prompt())) {
          bad.add(s);
        }
      }
    }
    return bad;
  }

  static int longestRun(TreeSet<Long> steps) {
    int best = 0;
    int run = 0;
    Long previous = null;
    for (long s : steps) {
      run = previous != null && s == previous + 1 ? run + 1 : 1;
      best = Math.max(best, run);
      previous = s;
    }
    return best;
  }

  static float[] checkpointParameters(Path dir, long step) throws Exception {
    return org.deeplearning4j.nn.multilayer.MultiLayerNetwork.load(dir.resolve(
        String.format("checkpoints/step-%08d/policy.zip", step)).toFile(), false)
        .params().toFloatVector();
  }

  @Test
  void consecutiveNonFiniteStepsStopTheRunWithItsExitCode() throws Exception {
    Path dir = tmp.resolve("overflow");
    Run run = reinforce(dir, OverflowReward.class.getName(), 10, 3);

    assertEquals(Main.NON_FINITE_UPDATES, run.code(), run.stderr());
    assertTrue(run.stderr().contains("3 consecutive updates skipped")
        && run.stderr().contains("sparkrl.trainer.max-consecutive-skipped-steps"), run.stderr());
    assertEquals(3, run.metrics().size(), "one metrics line per step until the stop");
    for (int i = 0; i < 3; i++) {
      assertEquals(i + 1, run.metrics().get(i).get("skipped_updates").asLong());
      assertTrue(run.metrics().get(i).get("update_skipped").asText().contains("Infinity"),
          run.metrics().get(i).toString());
    }
    assertFalse(Files.exists(dir.resolve("_SUCCESS")));
    assertArrayEquals(checkpointParameters(dir, 1), checkpointParameters(dir, 2));
  }

  @Test
  void isolatedNonFiniteStepsAreSkippedAndTheRunFinishes() throws Exception {
    int steps = 12;
    TreeSet<Long> bad = poisonedSteps(steps);
    assertFalse(bad.isEmpty(), "no step holds a poisoned prompt: nothing tested");
    assertTrue(bad.size() < steps - 1, "every step is poisoned: nothing trains");
    Path dir = tmp.resolve("poison");
    Run run = reinforce(dir, PoisonPromptReward.class.getName(), steps, longestRun(bad) + 1);

    assertEquals(Main.OK, run.code(), run.stderr());
    assertTrue(Files.exists(dir.resolve("_SUCCESS")));
    assertEquals(steps, run.metrics().size());
    TreeSet<Long> skipped = new TreeSet<>();
    for (JsonNode m : run.metrics()) {
      if (m.has("update_skipped")) {
        skipped.add(m.get("step").asLong());
      }
    }
    assertEquals(bad, skipped, "skipped steps must be exactly those with a poisoned prompt");
    assertEquals(bad.size(), run.metrics().get(steps - 1).get("skipped_updates").asLong());
    for (long s = 1; s < steps; s++) {
      float[] before = checkpointParameters(dir, s);
      float[] after = checkpointParameters(dir, s + 1);
      if (bad.contains(s)) {
        assertArrayEquals(before, after, "a skipped step " + s + " changed the parameters");
      } else {
        assertNotEquals(io.sparkrl.policy.ParamsDigest.sha256(before),
            io.sparkrl.policy.ParamsDigest.sha256(after), "step " + s + " did not train");
      }
    }
  }
}
