package io.sparkrl.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkrl.job.config.JobConfig;
import io.sparkrl.job.driver.ReinforceJob;
import io.sparkrl.job.output.RunDirectory;
import io.sparkrl.policy.ParamsDigest;
import io.sparkrl.policy.PolicySnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a checkpoint holds and how resume treats damaged ones: every file is listed in
 * metadata.json with its real size and SHA-256; the policy loads in plain DL4J; only the newest K
 * remain; a corrupt or partial newest checkpoint is passed over for the one before it and the run
 * still ends bit-identical to an uninterrupted one.
 */
class CheckpointTest {
  @TempDir static Path tmp;
  static JavaSparkContext sc;
  static List<String> corpus;
  static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void start() throws Exception {
    corpus = TestCorpus.write(tmp.resolve("corpus"), 9, 5);
    sc = LocalSpark.start("checkpoint-test");
  }

  @AfterAll
  static void stop() {
    sc.stop();
  }

  static PolicySnapshot train(Path dir, int steps, String... extra) throws Exception {
    List<String> keys = new ArrayList<>(List.of("corpus.train=\"" + corpus.get(0) + "\"",
        "corpus.eval=\"\"", "run.partitions=2", "run.prompts-per-step=4",
        "run.dir=\"" + dir + "\"", "run.steps=" + steps, "run.checkpoint-every=2",
        "policy.hidden-size=16", "policy.embedding-size=8", "sampling.group-size=4",
        "sampling.max-new-tokens=8", "advantage.estimator=ema", "optimizer.learning-rate=0.01"));
    keys.addAll(List.of(extra));
    JobConfig c = JobConfig.load(null, keys);
    try (RunDirectory out = new RunDirectory(dir.toString(), new Configuration())) {
      ReinforceJob job = ReinforceJob.start(sc, c, out);
      job.run(out);
      job.close();
      return job.policy();
    }
  }

  static String sha256(Path file) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }

  static List<String> names(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
    }
  }

  static void flipByte(Path file) throws Exception {
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length / 2] ^= 0x10;
    Files.write(file, bytes);
  }

  @Test
  void checkpointHoldsVerifiableFilesAndADl4jModel() throws Exception {
    Path dir = tmp.resolve("contents");
    PolicySnapshot end = train(dir, 5, "run.checkpoint-every=1", "run.keep-checkpoints=2");
    // only the newest two of the five checkpoints remain, and no unfinished write
    assertEquals(List.of("step-00000004", "step-00000005"), names(dir.resolve("checkpoints")));
    Path c = dir.resolve("checkpoints/step-00000005");
    JsonNode meta = JSON.readTree(c.resolve("metadata.json").toFile());
    assertEquals(5, meta.get("step").asLong());
    assertEquals(ParamsDigest.sha256(end.parameters()), meta.get("params_sha256").asText());
    List<String> listed = new ArrayList<>();
    meta.get("files").fields().forEachRemaining(e -> listed.add(e.getKey()));
    assertEquals(List.of("baseline.bin", "config.conf", "metadata.json", "optimizer.bin",
        "policy.zip", "vocabulary.json"), names(c));
    assertEquals(5, listed.size());
    for (String f : listed) {
      assertEquals(Files.size(c.resolve(f)), meta.get("files").get(f).get("bytes").asLong(), f);
      assertEquals(sha256(c.resolve(f)), meta.get("files").get(f).get("sha256").asText(), f);
    }
    JsonNode cursor = meta.get("data_cursor");
    assertEquals(5, cursor.get("next_step").asLong());
    assertEquals(4, cursor.get("prompts_per_step").asInt());
    // 80 training prompts, 4 per step: 20 steps per epoch, so step 5 is epoch 0, position 20
    assertEquals(80, cursor.get("corpus_prompts").asLong());
    assertEquals(0, cursor.get("epoch").asLong());
    assertEquals(20, cursor.get("position_in_epoch").asLong());
    assertTrue(Files.readString(c.resolve("config.conf")).contains("keep-checkpoints"));
    assertTrue(JSON.readTree(c.resolve("vocabulary.json").toFile()).get("characters").asText()
        .equals(((io.sparkrl.tokenizer.Vocabulary) end.tokenizer()).characters()));

    // any DL4J user can load the policy: plain MultiLayerNetwork.load, same parameters bit for bit
    MultiLayerNetwork net = MultiLayerNetwork.load(c.resolve("policy.zip").toFile(), false);
    float[] loaded = net.params().toFloatVector();
    assertArrayEquals(end.parameters(), loaded);
    assertEquals(meta.get("params_sha256").asText(), ParamsDigest.sha256(loaded));
  }

  @Test
  void corruptAndPartialCheckpointsArePassedOverForTheOneBefore() throws Exception {
    PolicySnapshot straight = train(tmp.resolve("straight"), 6);
    Path dir = tmp.resolve("damaged");
    train(dir, 4, "run.checkpoint-every=1"); // checkpoints at steps 2, 3 and 4 (the newest 3)
    Path cps = dir.resolve("checkpoints");
    // step 4: one flipped byte in the optimizer moments (the parameters themselves are intact),
    // its .crc removed so that only metadata.json's SHA-256 can catch it
    flipByte(cps.resolve("step-00000004/optimizer.bin"));
    Files.delete(cps.resolve("step-00000004/.optimizer.bin.crc"));
    // step 3: a flipped byte in the baseline, caught by the filesystem's own checksum on read
    flipByte(cps.resolve("step-00000003/baseline.bin"));
    // step 5: a copy cut short (an object store's non-atomic rename): files, no metadata.json
    Files.createDirectories(cps.resolve("step-00000005"));
    Files.copy(cps.resolve("step-00000002/policy.zip"), cps.resolve("step-00000005/policy.zip"));
    // step 6: a write killed before its rename
    Files.createDirectories(cps.resolve("_tmp-step-00000006"));
    Files.writeString(cps.resolve("_tmp-step-00000006/policy.zip"), "half");

    PolicySnapshot resumed = train(dir, 6);
    assertEquals(6, resumed.step());
    // resumed from step 2: the corrupt moments were not used (they would change the parameters)
    assertArrayEquals(straight.parameters(), resumed.parameters());
    List<String> left = names(cps);
    assertTrue(left.contains("unusable-step-00000004"), left.toString());
    assertTrue(left.contains("unusable-step-00000003"), left.toString());
    assertTrue(left.contains("unusable-step-00000005"), left.toString());
    assertFalse(left.contains("_tmp-step-00000006"), left.toString());
    assertTrue(left.containsAll(List.of("step-00000004", "step-00000006")), left.toString());
    // the metrics file holds each step once: the lines after step 2 were replaced, not repeated
    List<String> metrics = Files.readAllLines(dir.resolve("metrics.jsonl"));
    assertEquals(6, metrics.size(), String.join("\n", metrics));
  }
}
