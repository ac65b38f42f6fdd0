package io.sparkrl.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrl.job.output.RunDirectory;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job against a real HDFS (an in-process MiniDFSCluster): corpus read from hdfs://, run
 * directory with checkpoints and metrics written to hdfs://, through Main as a user runs it.
 */
@Tag("slow") // integration-test phase: mvn verify, not mvn test
class HdfsRunTest {
  @TempDir static Path tmp;
  static MiniDFSCluster hdfs;
  static String nameNode;

  @BeforeAll
  static void startHdfs() throws Exception {
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, tmp.resolve("dfs").toString());
    hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    hdfs.waitActive();
    nameNode = "hdfs://localhost:" + hdfs.getNameNodePort();
  }

  @AfterAll
  static void stopHdfs() {
    if (hdfs != null) {
      hdfs.shutdown();
    }
  }

  @Test
  void trainsFromAndIntoHdfs() throws Exception {
    FileSystem fs = hdfs.getFileSystem();
    var local = TestCorpus.write(tmp.resolve("corpus"), 9, 1);
    fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(local.get(0)),
        new org.apache.hadoop.fs.Path("/data/train.jsonl"));
    fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(local.get(1)),
        new org.apache.hadoop.fs.Path("/data/eval.jsonl"));
    String run = nameNode + "/runs/hdfs-test";
    System.setProperty("spark.master", "local[2]");
    System.setProperty("spark.ui.enabled", "false");
    try {
      int code = Main.run(new String[] {"reinforce",
          "corpus.train=\"" + nameNode + "/data/train.jsonl\"",
          "corpus.eval=\"" + nameNode + "/data/eval.jsonl\"", "run.dir=\"" + run + "\"",
          "run.steps=3", "run.checkpoint-every=2", "run.prompts-per-step=4", "eval.every=3",
          "policy.hidden-size=16", "sampling.group-size=2", "sampling.max-new-tokens=6"});
      assertEquals(Main.OK, code);
    } finally {
      System.clearProperty("spark.master");
      System.clearProperty("spark.ui.enabled");
    }
    for (String f : new String[] {"_SUCCESS", "config.conf", "policy.bin", "metrics.jsonl",
        "checkpoints/step-00000002/policy.zip", "checkpoints/step-00000003/optimizer.bin",
        "checkpoints/step-00000003/metadata.json", "summary.json", "initial-policy.bin"}) {
      assertTrue(fs.exists(new org.apache.hadoop.fs.Path("/runs/hdfs-test/" + f)), f);
    }
    String metrics;
    try (var in = fs.open(new org.apache.hadoop.fs.Path("/runs/hdfs-test/metrics.jsonl"))) {
      metrics = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertEquals(4, metrics.lines().count(), metrics); // the initial evaluation + 3 steps
    assertEquals(3, RunDirectory.readPolicy(run + "/policy.bin", fs.getConf()).step());
    String summary;
    try (var in = fs.open(new org.apache.hadoop.fs.Path("/runs/hdfs-test/summary.json"))) {
      summary = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    String metadata;
    try (var in = fs.open(new org.apache.hadoop.fs.Path("/runs/hdfs-test/checkpoints/step-00000003/metadata.json"))) {
      metadata = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    String sha = json.readTree(summary).get("params_sha256").asText();
    assertEquals(sha, json.readTree(metadata).get("params_sha256").asText());
    assertEquals(sha, io.sparkrl.policy.ParamsDigest.sha256(
        RunDirectory.readPolicy(run + "/policy.bin", fs.getConf()).parameters()));

    // a second run on HDFS starts from the first one's checkpoint there (init-from)
    System.setProperty("spark.master", "local[2]");
    System.setProperty("spark.ui.enabled", "false");
    try {
      int code = Main.run(new String[] {"reinforce",
          "corpus.train=\"" + nameNode + "/data/train.jsonl\"", "corpus.eval=\"\"",
          "run.dir=\"" + nameNode + "/runs/hdfs-next\"", "run.init-from=\"" + run + "\"",
          "run.steps=1", "run.prompts-per-step=4", "policy.hidden-size=16",
          "sampling.group-size=2", "sampling.max-new-tokens=6"});
      assertEquals(Main.OK, code);
    } finally {
      System.clearProperty("spark.master");
      System.clearProperty("spark.ui.enabled");
    }
    assertEquals(sha, io.sparkrl.policy.ParamsDigest.sha256(RunDirectory.readPolicy(
        nameNode + "/runs/hdfs-next/initial-policy.bin", fs.getConf()).parameters()));
    assertTrue(fs.exists(new org.apache.hadoop.fs.Path("/runs/hdfs-next/checkpoints/step-00000001/metadata.json")));
    assertTrue(new File(tmp.toFile(), "dfs").isDirectory());
    assertTrue(Files.isRegularFile(Path.of(java.net.URI.create(local.get(0)))));
  }
}
