package io.sparkrl.job.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrl.job.config.JobConfig;
import io.sparkrl.job.config.JobSettings;
import io.sparkrl.job.corpus.ArithmeticTask;
import io.sparkrl.job.driver.ReinforceJob;
import io.sparkrl.job.output.RunDirectory;
import io.sparkrl.policy.ParamsDigest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Spark's GPU scheduling path without GPUs: {@code local-cluster[2,1,1024]} whose two workers each
 * discover one fake {@code gpu} address (a discovery script that hands out 0, 1, ... in turn),
 * executors and tasks that ask for one GPU each, and the job on the CPU backend. Every step task
 * reads the address Spark assigned it and binds to it (a logged no-op on CPU); the executors' logs
 * show each executor's tasks got one address and the two executors different ones, and the trained
 * parameters equal the local[2] run's. Run for each policy architecture ({@link LocalCluster#policy})
 * on one cluster: what each run's tasks logged is what the executors' logs gained during it.
 */
@Tag("slow") // integration-test phase: mvn verify, not mvn test
class GpuSchedulingTest {
  static final int STEPS = 2;
  static final Pattern BOUND = Pattern.compile(
      "task \\d+ \\(stage (\\d+), partition (\\d+)\\): GPU address\\(es\\) \\[([^\\]]*)\\]"
          + " assigned, but ND4J CpuBackend is not the CUDA backend .*: binding is a no-op");

  @TempDir static Path tmp;
  static String train;
  /** architecture to the params_sha256 of its CPU local[2] run */
  static final Map<String, String> localSha = new HashMap<>();
  static JavaSparkContext sc;

  @BeforeAll
  static void start() throws Exception {
    train = ArithmeticTask.write(ArithmeticTask.generate(
        new JobSettings.Arithmetic(tmp.resolve("corpus").toString(), 9, 0, 0.2, 1,
            List.of("The answer is %d.")),
        new JobSettings.Corpus("", "", "prompt", "answer", "completion")),
        tmp.resolve("corpus").toString(), new Configuration()).get(0);

    JavaSparkContext local = new JavaSparkContext(new SparkConf().setMaster("local[2]")
        .setAppName("gpu-reference").set("spark.ui.enabled", "false")
        .set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1"));
    try {
      for (String architecture : LocalCluster.architectures()) {
        localSha.put(architecture, train(local, architecture, "local"));
      }
    } finally {
      local.stop();
    }

    sc = LocalCluster.start("gpu-scheduling-test", tmp.resolve("cluster"), Map.of(
        "spark.worker.resource.gpu.amount", "1",
        "spark.worker.resource.gpu.discoveryScript", fakeDiscoveryScript().toString(),
        "spark.executor.resource.gpu.amount", "1",
        "spark.task.resource.gpu.amount", "1"));
  }

  @AfterAll
  static void stop() {
    if (sc != null) {
      LocalCluster.stop(sc);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.sparkrl.job.cluster.LocalCluster#architectures")
  void eachExecutorsTasksBindTheirOwnGpuAndTrainAsOnCpu(String architecture) throws Exception {
    String applicationId = sc.sc().applicationId();
    Map<Path, Long> before = new HashMap<>();
    for (Path executorDir : LocalCluster.executorDirectories(applicationId)) {
      before.put(executorDir, Files.size(executorDir.resolve("stderr")));
    }
    String clusterSha = train(sc, architecture, "cluster");

    // executor id -> the addresses this run's step tasks were bound to, from what the executors'
    // own logs gained during the run (a task logs its binding when it starts, long before the
    // run's last step ends)
    Map<String, TreeSet<String>> addresses = new TreeMap<>();
    Map<String, Integer> tasks = new TreeMap<>();
    for (Path executorDir : LocalCluster.executorDirectories(applicationId)) {
      String executor = executorDir.getFileName().toString();
      byte[] log = Files.readAllBytes(executorDir.resolve("stderr"));
      int from = (int) Math.min(log.length, before.getOrDefault(executorDir, 0L));
      Matcher m = BOUND.matcher(new String(log, from, log.length - from, StandardCharsets.UTF_8));
      while (m.find()) {
        addresses.computeIfAbsent(executor, e -> new TreeSet<>()).add(m.group(3));
        tasks.merge(executor, 1, Integer::sum);
      }
    }
    assertEquals(LocalCluster.EXECUTORS, addresses.size(), architecture
        + ": executors whose tasks logged a GPU binding: " + addresses + " (tasks " + tasks + ")");
    TreeSet<String> all = new TreeSet<>();
    addresses.forEach((executor, a) -> {
      assertEquals(1, a.size(), "executor " + executor + " saw several addresses: " + a);
      all.addAll(a);
    });
    assertEquals(new TreeSet<>(List.of("0", "1")), all,
        "the two executors' tasks must hold distinct GPU addresses: " + addresses);
    assertEquals(localSha.get(architecture), clusterSha, architecture
        + ": params_sha256 with GPU scheduling on local-cluster differs from the CPU local[2] run");
    System.out.printf("gpu scheduling (%s): addresses by executor %s, bound tasks %s%n",
        architecture, addresses, tasks);
  }

  /**
   * Each run claims the lowest free address (mkdir is atomic), so the two in-process workers,
   * which read the same settings on the same host, get different fake GPUs, as two nodes would.
   */
  static Path fakeDiscoveryScript() throws IOException {
    Path claims = Files.createDirectories(tmp.resolve("gpu-claims"));
    Path script = tmp.resolve("fake-gpu-discovery.sh");
    Files.writeString(script, """
        #!/bin/sh
        i=0
        while ! mkdir "%s/$i" 2>/dev/null; do i=$((i + 1)); done
        echo "{\\"name\\": \\"gpu\\", \\"addresses\\": [\\"$i\\"]}"
        """.formatted(claims));
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    return script;
  }

  static String train(JavaSparkContext spark, String architecture, String name) throws Exception {
    String runDir = tmp.resolve("run-" + architecture + "-" + name).toString();
    List<String> keys = new ArrayList<>(List.of("corpus.train=\"" + train + "\"", "corpus.eval=\"\"",
        "run.partitions=2", "run.prompts-per-step=4", "run.seed=5", "run.dir=\"" + runDir + "\"",
        "sampling.group-size=4", "sampling.max-new-tokens=8",
        // two passes of one prompt group per task: the multi-pass path on executors too
        "sampling.max-batch-sequences=4",
        // a reward that tells the untrained policy's completions apart (answer-match gives them all
        // 0: no advantage, no gradient, parameters equal to the initial ones on any backend)
        "reward.functions=[{name=length-penalty,weight=1}]", "reward.length-penalty.free-chars=2"));
    keys.addAll(LocalCluster.policy(architecture));
    JobConfig c = JobConfig.load(null, keys);
    ReinforceJob job = ReinforceJob.start(spark, c, new RunDirectory(c.job().run().dir(), new Configuration()));
    String initial = ParamsDigest.sha256(job.policy().parameters());
    try {
      for (int s = 0; s < STEPS; s++) {
        job.step();
      }
    } finally {
      job.close();
    }
    assertEquals(STEPS, job.policy().step());
    assertEquals(architecture, job.policy().architecture().name(), "the trained policy's architecture");
    String sha = ParamsDigest.sha256(job.policy().parameters());
    assertNotEquals(initial, sha, name + " " + architecture + ": the steps left the parameters as"
        + " they were, so comparing them compares nothing");
    return sha;
  }
}
