package io.sparkrl.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkrl.job.output.RunDirectory;
import io.sparkrl.policy.ParamsDigest;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job against an S3 endpoint (S3Proxy in this JVM, over jclouds' in-memory "transient" blob
 * store) through the s3a connector: corpus read from s3a://, run directory with checkpoints and
 * metrics written to s3a://, init-from and a resume there, through Main as a user runs it. The
 * s3a settings reach Main only as {@code spark.hadoop.*} properties, as with spark-submit --conf.
 */
@Tag("slow") // integration-test phase: mvn verify, not mvn test
class S3aRunTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String ACCESS = "sparkrl-access";
  static final String SECRET = "sparkrl-secret";
  static final String BUCKET = "s3a://bucket";
  @TempDir static Path tmp;
  static S3Proxy proxy;
  static BlobStoreContext blobs;
  static Map<String, String> s3a;
  static FileSystem fs;

  @BeforeAll
  static void startS3() throws Exception {
    blobs = ContextBuilder.newBuilder("transient").credentials("identity", "credential")
        .build(BlobStoreContext.class);
    blobs.getBlobStore().createContainerInLocation(null, "bucket");
    proxy = S3Proxy.builder().blobStore(blobs.getBlobStore())
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS, SECRET)
        .endpoint(URI.create("http://127.0.0.1:0")).build();
    proxy.start();
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!"STARTED".equals(proxy.getState()) && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertEquals("STARTED", proxy.getState());
    s3a = Map.of(
        "fs.s3a.endpoint", "http://127.0.0.1:" + proxy.getPort(),
        "fs.s3a.endpoint.region", "us-east-1",
        "fs.s3a.path.style.access", "true",
        "fs.s3a.connection.ssl.enabled", "false",
        "fs.s3a.access.key", ACCESS,
        "fs.s3a.secret.key", SECRET,
        "fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider",
        "fs.s3a.attempts.maximum", "2",
        "fs.s3a.retry.limit", "2");
    // the test's own client, not cached: Main must find the settings itself
    Configuration conf = new Configuration();
    s3a.forEach(conf::set);
    fs = FileSystem.newInstance(URI.create(BUCKET + "/"), conf);
    s3a.forEach((k, v) -> System.setProperty("spark.hadoop." + k, v));
    System.setProperty("spark.master", "local[2]");
    System.setProperty("spark.ui.enabled", "false");
  }

  @AfterAll
  static void stopS3() throws Exception {
    System.clearProperty("spark.master");
    System.clearProperty("spark.ui.enabled");
    if (s3a != null) {
      s3a.keySet().forEach(k -> System.clearProperty("spark.hadoop." + k));
    }
    if (fs != null) {
      fs.close();
    }
    FileSystem.closeAll(); // the cached s3a clients Main and Spark opened
    if (proxy != null) {
      proxy.stop();
    }
    if (blobs != null) {
      blobs.close();
    }
  }

  static MainOutcome run(String dir, String... extra) {
    List<String> args = new ArrayList<>(List.of("reinforce",
        "corpus.train=\"" + BUCKET + "/data/train.jsonl\"",
        "corpus.eval=\"" + BUCKET + "/data/eval.jsonl\"", "run.dir=\"" + dir + "\"",
        "run.prompts-per-step=4", "run.partitions=2", "policy.hidden-size=16",
        "policy.embedding-size=8", "sampling.group-size=2", "sampling.max-new-tokens=6"));
    args.addAll(List.of(extra));
    return MainOutcome.run(args.toArray(String[]::new));
  }

  static String read(String path) throws Exception {
    try (var in = fs.open(new org.apache.hadoop.fs.Path(path))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  static boolean exists(String path) throws Exception {
    return fs.exists(new org.apache.hadoop.fs.Path(path));
  }

  static String policySha(String path) throws Exception {
    return ParamsDigest.sha256(RunDirectory.readPolicy(path, fs.getConf()).parameters());
  }

  @Test
  void trainsFromAndIntoS3a() throws Exception {
    var local = TestCorpus.write(tmp.resolve("corpus"), 9, 1);
    fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(local.get(0)),
        new org.apache.hadoop.fs.Path(BUCKET + "/data/train.jsonl"));
    fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(local.get(1)),
        new org.apache.hadoop.fs.Path(BUCKET + "/data/eval.jsonl"));

    // a run with checkpoints, corpus and run directory on s3a
    String r1 = BUCKET + "/runs/r1";
    String[] steps = {"run.steps=3", "run.checkpoint-every=2", "eval.every=3"};
    MainOutcome first = run(r1, steps);
    assertEquals(Main.OK, first.code(), first.err());
    for (String f : new String[] {"_SUCCESS", "config.conf", "policy.bin", "initial-policy.bin",
        "checkpoints/step-00000002/policy.zip", "checkpoints/step-00000003/optimizer.bin",
        "checkpoints/step-00000003/metadata.json"}) {
      assertTrue(exists(r1 + "/" + f), f);
    }
    List<String> metrics = read(r1 + "/metrics.jsonl").lines().toList();
    assertEquals(4, metrics.size(), metrics.toString()); // the initial evaluation + 3 steps
    assertEquals(3, metrics.stream().filter(l -> l.contains("\"reward_mean\"")).count());
    JsonNode summary = JSON.readTree(read(r1 + "/summary.json"));
    assertTrue(summary.get("finished").asBoolean());
    String sha = summary.get("params_sha256").asText();
    assertEquals(sha, JSON.readTree(read(r1 + "/checkpoints/step-00000003/metadata.json"))
        .get("params_sha256").asText());
    assertEquals(sha, policySha(r1 + "/policy.bin"));

    // a finished run is not run again
    String before = read(r1 + "/summary.json");
    MainOutcome again = run(r1, steps);
    assertEquals(Main.OK, again.code(), again.err());
    assertTrue(again.out().contains("nothing to do"), again.out());
    assertEquals(before, read(r1 + "/summary.json"));

    // a new run on s3a from that run's checkpoint there
    String r2 = BUCKET + "/runs/r2";
    MainOutcome next = run(r2, "run.steps=1", "corpus.eval=\"\"", "run.init-from=\"" + r1 + "\"");
    assertEquals(Main.OK, next.code(), next.err());
    assertEquals(sha, policySha(r2 + "/initial-policy.bin"));
    assertTrue(exists(r2 + "/checkpoints/step-00000001/metadata.json"));
    assertTrue(exists(r2 + "/_SUCCESS"));

    // stopped by the wall-time limit and run again: the same parameters as without the stop
    String r3 = BUCKET + "/runs/r3";
    MainOutcome stopped = run(r3, "run.steps=3", "run.checkpoint-every=2", "eval.every=3",
        "run.max-wall-time=1ms");
    assertEquals(Main.NOT_FINISHED, stopped.code(), stopped.err());
    assertFalse(exists(r3 + "/_SUCCESS"));
    assertTrue(exists(r3 + "/checkpoints/step-00000001/metadata.json"));
    MainOutcome resumed = run(r3, steps);
    assertEquals(Main.OK, resumed.code(), resumed.err());
    JsonNode s3 = JSON.readTree(read(r3 + "/summary.json"));
    assertEquals(1, s3.get("resumed_from_step").asLong());
    assertEquals(sha, s3.get("params_sha256").asText());
    assertTrue(exists(r3 + "/_SUCCESS"));
  }
}
