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
    return args(dir, tasks, 3);
  }

  static List<String> args(Path dir, int tasks, int epochs) {
    List<String> a = new ArrayList<>(List.of("sft", "corpus.train=\"" + corpus.get(0) + "\"",
        "corpus.eval=\"" + corpus.get(1) + "\"", "run.dir=\"" + dir + "\"",
        "run.tasks-per-step=" + tasks, "run.partitions=2", "sft.epochs=" + epochs,
        "sft.batch-size=16",
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

    // above run.merge-fan-in the sums are merged on the executors (TreeMerge): with 3 tasks and a
    // fan-in of 2, tasks 0 and 1 are folded in a task and the driver adds task 2, the driver's own
    // order, and a merged sum travels as exact doubles: the same bits
    Path tree = tmp.resolve("three-tasks-tree");
    List<String> treeArgs = args(tree, 3);
    treeArgs.add("run.merge-fan-in=2");
    MainOutcome t = MainOutcome.run(treeArgs.toArray(String[]::new));
    assertEquals(Main.OK, t.code(), t.err());
    assertArrayEquals(p3, policy(tree).parameters(), "the merge tree changed the sums");

    Path again = tmp.resolve("one-task-again");
    assertEquals(Main.OK, MainOutcome.run(args(again, 1).toArray(String[]::new)).code());
    assertArrayEquals(p1, policy(again).parameters(), "a rerun is bit-identical");
  }

  static final int EPOCHS = 20;
  /** An evaluation every 3 steps and none for sparkrl.eval.every; room for a whole answer. */
  static final List<String> WATCHING = List.of("sft.eval-every-steps=3", "eval.every=0",
      "eval.max-new-tokens=24");

  static List<JsonNode> records(Path dir) throws Exception {
    List<JsonNode> records = new ArrayList<>();
    for (String line : Files.readAllLines(dir.resolve("metrics.jsonl"))) {
      records.add(JSON.readTree(line));
    }
    return records;
  }

  /**
   * Evaluating inside epochs changes nothing the training does; stop-at-accuracy stops at the
   * first evaluation that reaches it and writes the policy that evaluation saw.
   */
  @Test
  void evaluationsInsideEpochsChangeNothingAndStopAtAccuracyKeepsThePolicyItReached()
      throws Exception {
    Path plain = tmp.resolve("plain");
    assertEquals(Main.OK, MainOutcome.run(args(plain, 2, EPOCHS).toArray(String[]::new)).code());
    Path watched = tmp.resolve("watched");
    List<String> a = args(watched, 2, EPOCHS);
    a.addAll(WATCHING);
    MainOutcome w = MainOutcome.run(a.toArray(String[]::new));
    assertEquals(Main.OK, w.code(), w.err());
    assertArrayEquals(policy(plain).parameters(), policy(watched).parameters(),
        "evaluating every 2 steps changed the training");
    // 80 training examples, 16 a step: 5 steps an epoch, 100 in all; an evaluation every 3 steps
    // (inside epochs, or at the end of one: 15, 30, ...) and at the end of the last epoch
    List<JsonNode> evals = records(watched).stream().filter(r -> r.has("eval_accuracy")).toList();
    List<Long> expected = new ArrayList<>();
    for (long k = 3; k < 5 * EPOCHS; k += 3) {
      expected.add(k);
    }
    expected.add(5L * EPOCHS);
    assertEquals(expected, evals.stream().map(r -> r.get("step").asLong()).toList(),
        evals.toString());
    double target = 0;
    long first = -1;
    for (JsonNode r : evals.subList(0, evals.size() - 1)) {
      double acc = r.get("eval_accuracy").asDouble();
      if (acc > target) {
        target = acc;
        first = r.get("step").asLong();
      }
    }
    assertTrue(target > 0, "no evaluation inside the epochs got any answer right: " + evals);

    Path stopped = tmp.resolve("stopped");
    List<String> b = args(stopped, 2, EPOCHS);
    b.addAll(WATCHING);
    b.add("sft.stop-at-accuracy=" + target);
    MainOutcome s = MainOutcome.run(b.toArray(String[]::new));
    assertEquals(Main.OK, s.code(), s.err());
    List<JsonNode> kept = records(stopped);
    JsonNode last = kept.get(kept.size() - 1);
    assertEquals("stop-at-accuracy", last.path("stopped").asText(), kept.toString());
    assertEquals(first, last.get("step").asLong(), kept.toString());
    assertEquals(target, last.get("eval_accuracy").asDouble(), kept.toString());
    long at = first;
    double goal = target;
    assertTrue(kept.stream().filter(r -> r.has("eval_accuracy") && r.get("step").asLong() < at)
        .allMatch(r -> r.get("eval_accuracy").asDouble() < goal), kept.toString());
    // the policy written is the one evaluated: greedy decoding of it gets the same accuracy
    Path eval = tmp.resolve("eval-stopped");
    List<String> e = new ArrayList<>(List.of("evaluate", "corpus.eval=\"" + corpus.get(1) + "\"",
        "run.dir=\"" + eval + "\"", "run.init-policy=\"" + stopped.resolve("policy.bin") + "\"",
        "eval.max-new-tokens=24"));
    assertEquals(Main.OK, MainOutcome.run(e.toArray(String[]::new)).code());
    assertEquals(target,
        JSON.readTree(eval.resolve("evaluation.json").toFile()).get("greedy_accuracy").asDouble());
    assertTrue(!java.util.Arrays.equals(policy(plain).parameters(), policy(stopped).parameters()),
        "the stopped run trained as long as the full one");
  }
}
