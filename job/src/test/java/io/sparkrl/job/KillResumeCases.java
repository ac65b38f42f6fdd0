package io.sparkrl.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run killed with SIGKILL and started again with the same command ends with the same
 * params_sha256 as a run that was never interrupted: with the kill between two steps and in the
 * middle of a checkpoint write. Each policy architecture has its subclass ({@link KillResumeTest},
 * {@link TransformerKillResumeTest}).
 */
@Tag("slow") // integration-test phase: mvn verify, not mvn test
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class KillResumeCases {
  static final ObjectMapper JSON = new ObjectMapper();
  static final int STEPS = 6;
  Path tmp;
  List<String> corpus;
  String uninterrupted;

  /** The policy's settings. */
  abstract List<String> policy();

  /** A file a checkpoint writes before the kill point inside the write. */
  abstract String firstPolicyFile();

  List<String> args(Path dir) {
    List<String> args = new ArrayList<>(List.of("reinforce", "corpus.train=\"" + corpus.get(0)
        + "\"", "corpus.eval=\"\"", "run.dir=\"" + dir + "\"", "run.steps=" + STEPS,
        "run.checkpoint-every=2", "run.prompts-per-step=4", "run.partitions=2",
        "sampling.group-size=4", "sampling.max-new-tokens=8", "advantage.estimator=ema",
        "optimizer.learning-rate=0.01"));
    args.addAll(policy());
    return args;
  }

  static String paramsSha256(Path dir) throws Exception {
    JsonNode summary = JSON.readTree(dir.resolve("summary.json").toFile());
    assertEquals(STEPS, summary.get("steps").asLong());
    assertTrue(summary.get("finished").asBoolean());
    return summary.get("params_sha256").asText();
  }

  @BeforeAll
  void uninterruptedRun(@TempDir Path folder) throws Exception {
    tmp = folder;
    corpus = TestCorpus.write(tmp.resolve("corpus"), 9, 11);
    Path dir = tmp.resolve("uninterrupted");
    ChildJob run = ChildJob.start(tmp.resolve("uninterrupted.log"), List.of(), args(dir));
    assertEquals(Main.OK, run.waitFor(300), run.tail());
    uninterrupted = paramsSha256(dir);
  }

  /** Starts the run again, as a scheduler's retry would, and checks where it ends. */
  void resumeAndCompare(Path dir, String name) throws Exception {
    ChildJob again = ChildJob.start(tmp.resolve(name + "-resume.log"), List.of(), args(dir));
    assertEquals(Main.OK, again.waitFor(300), again.tail());
    assertTrue(Files.exists(dir.resolve("_SUCCESS")));
    assertEquals(uninterrupted, paramsSha256(dir), "params_sha256 after " + name);
    List<String> metrics = Files.readAllLines(dir.resolve("metrics.jsonl"));
    assertEquals(STEPS, metrics.size(), "one metrics line per step:\n" + String.join("\n", metrics));
  }

  ChildJob pausedAt(Path dir, String point, int step) throws Exception {
    Path marker = tmp.resolve(point + "-" + step + ".reached");
    List<String> props = List.of("-Dsparkrl-test.fault.pause=" + point,
        "-Dsparkrl-test.fault.after-step=" + step, "-Dsparkrl-test.fault.marker=" + marker);
    ChildJob run = ChildJob.start(tmp.resolve(point + ".log"), props, args(dir));
    run.awaitFile(marker, 300);
    run.kill();
    assertFalse(run.process.isAlive());
    return run;
  }

  @Test
  void killedBetweenStepsResumesToTheSameParameters() throws Exception {
    Path dir = tmp.resolve("between");
    pausedAt(dir, "between-steps", 3); // step 3 done, its checkpoint not due (every 2)
    assertTrue(Files.isDirectory(dir.resolve("checkpoints/step-00000002")));
    assertFalse(Files.exists(dir.resolve("_SUCCESS")));
    resumeAndCompare(dir, "between-steps");
  }

  @Test
  void killedDuringACheckpointWriteResumesToTheSameParameters() throws Exception {
    Path dir = tmp.resolve("during-write");
    pausedAt(dir, "checkpoint-write", 4);
    Path partial = dir.resolve("checkpoints/_tmp-step-00000004");
    assertTrue(Files.exists(partial.resolve(firstPolicyFile())), "the kill landed mid-write");
    assertFalse(Files.exists(partial.resolve("metadata.json")));
    assertFalse(Files.exists(dir.resolve("checkpoints/step-00000004")));
    resumeAndCompare(dir, "checkpoint-write");
    assertFalse(Files.exists(partial), "the unfinished write was cleaned up");
  }
}
