package io.sparkrl.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkrl.policy.PolicySnapshot;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SFT of a transformer through the step machinery ({@code sft.engine = gradient-sums}, what
 * {@code auto} picks for it), through {@link Main}: the training and held-out losses fall epoch by
 * epoch, and the trained parameters do not depend on how many tasks share each step (up to float
 * summation order) and are bit-identical on a rerun.
 */
@Tag("slow") // integration-test phase: mvn verify, not mvn test
class TransformerSftTest {
  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path tmp;
  static List<String> corpus;

  @BeforeAll
  static void corpus() throws Exception {
    corpus = TestCorpus.write(tmp.resolve("corpus"), 9, 5);
  }

  static List<String> args(Path dir, int tasks) {
    List<String> a = new ArrayList<>(List.of("sft", "corpus.train=\"" + corpus.get(0) + "\"",
        "corpus.eval=\"" + corpus.get(1) + "\"", "run.dir=\"" + dir + "\"",
        "run.tasks-per-step=" + tasks, "run.partitions=2", "sft.epochs=3", "sft.batch-size=16",
        "sft.learning-rate=0.01", "eval.max-new-tokens=12"));
    a.addAll(List.of(io.sparkrl.job.DistributedStepTest.transformer("llama")));
    return a;
  }

  static PolicySnapshot policy(Path dir) throws Exception {
    try (InputStream in = Files.newInputStream(dir.resolve("policy.bin"))) {
      return PolicySnapshot.readFrom(in);
    }
  }

  @Test
  void lossesFallAndTheTaskCountChangesOnlySummationOrder() throws Exception {
    Path one = tmp.resolve("one-task");
    MainOutcome a = MainOutcome.run(args(one, 1).toArray(String[]::new));
    assertEquals(Main.OK, a.code(), a.err());
    List<JsonNode> epochs = new ArrayList<>();
    for (String line : Files.readAllLines(one.resolve("metrics.jsonl"))) {
      epochs.add(JSON.readTree(line));
    }
    assertEquals(3, epochs.size());
    for (int e = 1; e < 3; e++) {
      assertTrue(epochs.get(e).get("loss").asDouble() < epochs.get(e - 1).get("loss").asDouble(),
          "training loss did not fall: " + epochs);
    }
    assertTrue(epochs.get(2).has("eval_loss") && epochs.get(2).has("eval_accuracy"), epochs.toString());
    // a held-out loss per token well under the uniform guess's log(V): something was learned
    PolicySnapshot trained = policy(one);
    assertEquals("transformer", trained.architecture().name());
    assertTrue(epochs.get(2).get("eval_loss").asDouble() < Math.log(trained.tokenizer().size()) / 2,
        epochs.get(2).toString());

    Path three = tmp.resolve("three-tasks");
    assertEquals(Main.OK, MainOutcome.run(args(three, 3).toArray(String[]::new)).code());
    float[] p1 = trained.parameters();
    float[] p3 = policy(three).parameters();
    double diff = 0;
    double moved = 0;
    PolicySnapshot fresh = io.sparkrl.policy.Architectures.fresh(
        io.sparkrl.job.config.JobConfig.load(null, args(one, 1).subList(1, args(one, 1).size()))
            .trainer().policy(), trained.tokenizer());
    for (int i = 0; i < p1.length; i++) {
      diff += Math.pow(p1[i] - p3[i], 2);
      moved += Math.pow(p1[i] - fresh.parameters()[i], 2);
    }
    assertTrue(moved > 0);
    assertTrue(Math.sqrt(diff / moved) < 1e-3, "1 vs 3 tasks differ by " + Math.sqrt(diff / moved)
        + " of the training's change");

    Path again = tmp.resolve("one-task-again");
    assertEquals(Main.OK, MainOutcome.run(args(again, 1).toArray(String[]::new)).code());
    assertArrayEquals(p1, policy(again).parameters(), "a rerun is bit-identical");
  }
}
