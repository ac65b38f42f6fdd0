package io.sparkrl.job.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkrl.job.Main;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.yarn.api.records.ApplicationReport;
import org.apache.hadoop.yarn.api.records.FinalApplicationStatus;
import org.apache.hadoop.yarn.api.records.YarnApplicationState;
import org.apache.hadoop.yarn.client.api.YarnClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job on YARN, for real: Hadoop's MiniDFSCluster and MiniYARNCluster in this JVM, the corpus
 * and the run directories on hdfs://, and {@code spark-submit --master yarn} in client and in
 * cluster deploy mode (a child JVM, as the README's YARN section runs it). The executor and, in
 * cluster mode, the driver run in YARN containers: JVMs that the NodeManager launched. Both runs
 * end with the same {@code params_sha256} as a local[2] run with the same seed and task count.
 */
@Tag("slow")
class YarnRunTest {
  static final int STEPS = 3;
  static final int SUBMIT_SECONDS = 300;
  @TempDir static Path tmp;
  static MiniYarn cluster;
  static YarnClient yarn;
  static String train;
  static String localSha;

  @BeforeAll
  static void start() throws Exception {
    cluster = MiniYarn.start(tmp);
    yarn = YarnClient.createYarnClient();
    yarn.init(cluster.clientConf());
    yarn.start();
    FileSystem fs = cluster.hdfs.getFileSystem();
    List<String> local = io.sparkrl.job.TestCorpus.write(tmp.resolve("corpus"), 9, 1);
    fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(local.get(0)),
        new org.apache.hadoop.fs.Path("/data/train.jsonl"));
    train = cluster.nameNode + "/data/train.jsonl";
    localSha = localRun();
  }

  @AfterAll
  static void stop() {
    if (yarn != null) {
      yarn.stop();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  /** The reinforce command's arguments: a tiny LSTM policy, a few steps, output on HDFS. */
  static List<String> args(String run) {
    return List.of("reinforce", "corpus.train=\"" + train + "\"", "corpus.eval=\"\"",
        "run.dir=\"" + cluster.nameNode + "/runs/" + run + "\"", "run.steps=" + STEPS,
        "run.seed=11", "run.prompts-per-step=4", "run.tasks-per-step=2", "run.checkpoint-every=3",
        "policy.hidden-size=16", "policy.embedding-size=8", "policy.layers=1",
        "sampling.group-size=4", "sampling.max-new-tokens=8");
  }

  /** The reference: the same run through Main on local[2] in this JVM. */
  static String localRun() throws Exception {
    System.setProperty("spark.master", "local[2]");
    System.setProperty("spark.ui.enabled", "false");
    try {
      assertEquals(Main.OK, Main.run(args("local").toArray(new String[0])));
    } finally {
      System.clearProperty("spark.master");
      System.clearProperty("spark.ui.enabled");
    }
    return paramsSha("local");
  }

  static String paramsSha(String run) throws Exception {
    FileSystem fs = cluster.hdfs.getFileSystem();
    for (String f : new String[] {"_SUCCESS", "summary.json", "policy.bin"}) {
      assertTrue(fs.exists(new org.apache.hadoop.fs.Path("/runs/" + run + "/" + f)),
          run + ": no " + f + " on HDFS");
    }
    try (var in = fs.open(new org.apache.hadoop.fs.Path("/runs/" + run + "/summary.json"))) {
      String summary = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      String sha = new ObjectMapper().readTree(summary).path("params_sha256").asText();
      assertEquals(64, sha.length(), summary);
      return sha;
    }
  }

  @Test
  void clientMode() throws Exception {
    submitAndCheck("client");
  }

  @Test
  void clusterMode() throws Exception {
    submitAndCheck("cluster");
  }

  void submitAndCheck(String mode) throws Exception {
    Set<String> before = new HashSet<>();
    yarn.getApplications().forEach(a -> before.add(a.getApplicationId().toString()));
    Path log = tmp.resolve("submit-" + mode + ".log");
    long t0 = System.nanoTime();
    int code = YarnSubmit.run(cluster, tmp, mode, args("yarn-" + mode), log, SUBMIT_SECONDS);
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertEquals(0, code, "spark-submit --deploy-mode " + mode + " failed:\n" + YarnSubmit.tail(log));

    List<ApplicationReport> apps = new ArrayList<>();
    for (ApplicationReport a : yarn.getApplications()) {
      if (!before.contains(a.getApplicationId().toString())) {
        apps.add(a);
      }
    }
    assertEquals(1, apps.size(), "one YARN application per submit: " + apps);
    ApplicationReport app = settled(apps.get(0));
    String id = app.getApplicationId().toString();
    assertEquals(YarnApplicationState.FINISHED, app.getYarnApplicationState(), id);
    assertEquals(FinalApplicationStatus.SUCCEEDED, app.getFinalApplicationStatus(),
        id + ": " + app.getDiagnostics());

    // containers: the ApplicationMaster (in cluster mode also the driver) and one executor
    List<Path> containers = cluster.containerLogs(id);
    assertEquals(2, containers.size(), "containers of " + id + ": " + containers);
    assertTrue(containers.get(0).getFileName().toString().endsWith("_000001"), containers.toString());
    String am = read(containers.get(0).resolve("stderr"));
    String executor = read(containers.get(1).resolve("stderr"));
    // the step tasks ran in the executor's container: each logs its device binding there
    assertTrue(executor.contains("YarnCoarseGrainedExecutorBackend"), executor);
    assertTrue(executor.lines().filter(l -> l.contains("(stage ") && l.contains("sampling: "))
        .count() >= STEPS, "no step task logged in the executor container:\n" + executor);
    if (mode.equals("cluster")) {
      assertTrue(am.contains("done: " + STEPS + " steps"), "the driver did not run in the AM:\n" + am);
    } else {
      assertTrue(read(log).contains("done: " + STEPS + " steps"), YarnSubmit.tail(log));
    }
    String sha = paramsSha("yarn-" + mode);
    assertEquals(localSha, sha, mode + " mode on YARN differs from local[2]");
    System.out.printf("YARN %s mode: %s, %d containers, %.1f s, params_sha256 %s%n", mode, id,
        containers.size(), seconds, sha);
  }

  /**
   * The application's report once YARN holds it in a final state. In client mode spark-submit
   * exits with the driver, and the ApplicationMaster unregisters after that: on a loaded machine
   * the ResourceManager still reported RUNNING right after the submit returned.
   */
  static ApplicationReport settled(ApplicationReport app) throws Exception {
    Set<YarnApplicationState> done = Set.of(YarnApplicationState.FINISHED,
        YarnApplicationState.FAILED, YarnApplicationState.KILLED);
    long deadline = System.nanoTime() + 60_000_000_000L;
    ApplicationReport report = app;
    while (!done.contains(report.getYarnApplicationState()) && System.nanoTime() < deadline) {
      Thread.sleep(200);
      report = yarn.getApplicationReport(app.getApplicationId());
    }
    return report;
  }

  static String read(Path file) throws java.io.IOException {
    return Files.exists(file) ? Files.readString(file) : "";
  }
}
