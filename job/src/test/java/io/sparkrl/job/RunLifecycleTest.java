package io.sparkrl.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkrl.job.output.RunDirectory;
import io.sparkrl.policy.ParamsDigest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job as a scheduler sees it, through {@link Main}: exit codes, {@code _SUCCESS},
 * {@code summary.json}, a re-run of a finished run doing nothing, the epoch and wall-time limits,
 * and {@code init-from}.
 */
class RunLifecycleTest {
  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path tmp;
  static List<String> corpus;

  @BeforeAll
  static void setUp() throws Exception {
    corpus = TestCorpus.write(tmp.resolve("corpus"), 9, 3); // 80 training prompts, 20 held out
    System.setProperty("spark.master", "local[2]");
    System.setProperty("spark.ui.enabled", "false");
  }

  @AfterAll
  static void tearDown() {
    System.clearProperty("spark.master");
    System.clearProperty("spark.ui.enabled");
  }

  static MainOutcome run(Path dir, String... extra) {
    List<String> args = new ArrayList<>(List.of("reinforce", "corpus.train=\"" + corpus.get(0) + "\"",
        "corpus.eval=\"" + corpus.get(1) + "\"", "run.dir=\"" + dir + "\"",
        "run.prompts-per-step=16", "run.partitions=2", "eval.every=0", "policy.hidden-size=16",
        "policy.embedding-size=8", "sampling.group-size=2", "sampling.max-new-tokens=6",
        "optimizer.learning-rate=0.01"));
    args.addAll(List.of(extra));
    return MainOutcome.run(args.toArray(String[]::new));
  }

  static JsonNode summary(Path dir) throws Exception {
    return JSON.readTree(dir.resolve("summary.json").toFile());
  }

  static String sha256OfPolicy(Path dir, String file) throws Exception {
    return ParamsDigest.sha256(RunDirectory.readPolicy(dir.resolve(file).toString(),
        new Configuration()).parameters());
  }

  @Test
  void finishedRunHasSuccessAndSummaryAndARerunDoesNothing() throws Exception {
    Path dir = tmp.resolve("finished");
    MainOutcome first = run(dir, "run.steps=3");
    assertEquals(Main.OK, first.code(), first.err());
    assertTrue(Files.exists(dir.resolve("_SUCCESS")));
    JsonNode s = summary(dir);
    assertTrue(s.get("finished").asBoolean());
    assertEquals(3, s.get("steps").asLong());
    assertEquals(3, s.get("last_step").asLong());
    assertEquals(80, s.get("corpus_prompts").asLong());
    assertEquals(3 / 5.0, s.get("epochs").asDouble(), 1e-12); // 5 steps of 16 per epoch
    assertEquals(sha256OfPolicy(dir, "policy.bin"), s.get("params_sha256").asText());
    // rewards summarise metrics.jsonl's step lines
    List<JsonNode> steps = new ArrayList<>();
    for (String line : Files.readAllLines(dir.resolve("metrics.jsonl"))) {
      JsonNode n = JSON.readTree(line);
      if (n.has("reward_mean")) {
        steps.add(n);
      }
    }
    assertEquals(3, steps.size());
    assertEquals(steps.get(0).get("reward_mean").asDouble(), s.get("reward").get("first_step_mean").asDouble(), 0);
    assertEquals(steps.get(2).get("reward_mean").asDouble(), s.get("reward").get("last_step_mean").asDouble(), 0);
    assertTrue(s.get("eval_accuracy").get("final").isNumber(), s.toString());
    assertTrue(s.get("time").get("this_invocation_s").asDouble() > 0);

    byte[] metrics = Files.readAllBytes(dir.resolve("metrics.jsonl"));
    byte[] summary = Files.readAllBytes(dir.resolve("summary.json"));
    MainOutcome again = run(dir, "run.steps=3");
    assertEquals(Main.OK, again.code(), again.err());
    assertTrue(again.out().contains("nothing to do"), again.out());
    assertEquals(new String(metrics, StandardCharsets.UTF_8),
        Files.readString(dir.resolve("metrics.jsonl")));
    assertEquals(new String(summary, StandardCharsets.UTF_8),
        Files.readString(dir.resolve("summary.json")));
  }

  @Test
  void epochLimitEndsTheRunBeforeItsStepCount() throws Exception {
    Path dir = tmp.resolve("epochs");
    MainOutcome o = run(dir, "run.steps=1000", "run.max-epochs=2", "run.checkpoint-every=0");
    assertEquals(Main.OK, o.code(), o.err());
    JsonNode s = summary(dir);
    assertEquals(10, s.get("steps").asLong()); // 2 epochs of floor(80 / 16) = 5 steps
    assertEquals(2.0, s.get("epochs").asDouble(), 1e-12);
    assertTrue(Files.isDirectory(dir.resolve("checkpoints/step-00000010")));
  }

  @Test
  void wallTimeLimitStopsWithACheckpointAndTheRerunFinishesExactly() throws Exception {
    Path straight = tmp.resolve("wall-straight");
    assertEquals(Main.OK, run(straight, "run.steps=4").code());
    Path dir = tmp.resolve("wall");
    // 1 ms: the first step always runs, then every further step would pass the limit
    MainOutcome stopped = run(dir, "run.steps=4", "run.max-wall-time=1ms");
    assertEquals(Main.NOT_FINISHED, stopped.code(), stopped.err());
    assertTrue(stopped.out().contains("run the same command again"), stopped.out());
    assertFalse(Files.exists(dir.resolve("_SUCCESS")));
    JsonNode s = summary(dir);
    assertFalse(s.get("finished").asBoolean());
    assertEquals(1, s.get("steps").asLong());
    assertTrue(Files.isDirectory(dir.resolve("checkpoints/step-00000001")));

    MainOutcome resumed = run(dir, "run.steps=4");
    assertEquals(Main.OK, resumed.code(), resumed.err());
    assertEquals(1, summary(dir).get("resumed_from_step").asLong());
    assertEquals(summary(straight).get("params_sha256").asText(),
        summary(dir).get("params_sha256").asText());
  }

  @Test
  void initFromStartsANewRunFromAnotherRunsCheckpoint() throws Exception {
    // a reward that a fresh policy earns unevenly (shorter is better), so that the gradients and
    // the optimizer moments carried over are not zero
    String reward = "reward.functions=[{name=length-penalty,weight=1.0}]";
    String free = "reward.length-penalty.free-chars=0";
    Path source = tmp.resolve("source");
    assertEquals(Main.OK, run(source, "run.steps=2", reward, free).code());
    String sourceSha = summary(source).get("params_sha256").asText();
    assertNotEquals(sha256OfPolicy(source, "initial-policy.bin"), sourceSha, "the source trained");

    Path fresh = tmp.resolve("from-fresh");
    MainOutcome o = run(fresh, "run.steps=1", "run.init-from=\"" + source + "\"", reward, free);
    assertEquals(Main.OK, o.code(), o.err());
    // the new run starts from the source's parameters, at step 0
    assertEquals(sourceSha, sha256OfPolicy(fresh, "initial-policy.bin"));
    assertEquals(1, summary(fresh).get("steps").asLong());

    Path carry = tmp.resolve("from-carry");
    MainOutcome c = run(carry, "run.steps=1", "run.init-from=\"" + source + "/checkpoints/step-00000002\"",
        "run.init-from-optimizer=carry", reward, free);
    assertEquals(Main.OK, c.code(), c.err());
    assertEquals(sourceSha, sha256OfPolicy(carry, "initial-policy.bin"));
    // same start, same data, different optimizer state: a different first update
    assertNotEquals(summary(fresh).get("params_sha256").asText(),
        summary(carry).get("params_sha256").asText());
  }

  @Test
  void badInitFromAndAChangedScheduleOnResumeExitTwoBeforeTraining() throws Exception {
    MainOutcome missing = run(tmp.resolve("bad-init"), "run.steps=1",
        "run.init-from=\"" + tmp.resolve("no-such-run") + "\"");
    assertEquals(Main.BAD_CONFIGURATION, missing.code());
    assertTrue(missing.err().contains("sparkrl.run.init-from"), missing.err());
    assertFalse(Files.exists(tmp.resolve("bad-init/checkpoints")));

    MainOutcome both = run(tmp.resolve("bad-both"), "run.init-from=\"x\"", "run.init-policy=\"y\"");
    assertEquals(Main.BAD_CONFIGURATION, both.code());
    assertTrue(both.err().contains("sparkrl.run.init-from"), both.err());

    Path dir = tmp.resolve("changed");
    assertEquals(Main.NOT_FINISHED, run(dir, "run.steps=3", "run.max-wall-time=1ms").code());
    MainOutcome changed = run(dir, "run.steps=3", "run.prompts-per-step=8");
    assertEquals(Main.BAD_CONFIGURATION, changed.code(), changed.err());
    assertTrue(changed.err().contains("prompts-per-step is 8"), changed.err());
    assertTrue(changed.err().contains("init-from"), changed.err());
  }
}
