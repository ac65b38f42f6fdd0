package io.sparkrl.job.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrl.job.config.JobConfig;
import io.sparkrl.job.driver.ReinforceJob;
import io.sparkrl.job.output.RunDirectory;
import io.sparkrl.policy.ParamsDigest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.TaskFailedReason;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import io.sparkrl.policy.transformer.SamplingProducts;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * REINFORCE steps with executors in separate JVMs ({@code local-cluster[2,1,1024]}): the policy
 * snapshot is serialized and broadcast over the network, the gradient sums come back over it, and
 * the result is bit-identical to the local[2] run with the same seed and task count, also
 * when an executor JVM is killed with SIGKILL in the middle of a step and its tasks are retried.
 * Each test runs both policy architectures ({@link LocalCluster#policy}): the LSTM and a tiny
 * transformer, whose snapshots and gradient sums travel the same way with a different layout.
 */
@Tag("slow") // integration-test phase: mvn verify, not mvn test
class LocalClusterTest {
  static final int STEPS = 3;
  @TempDir static Path tmp;
  static String train;
  /** architecture to the params_sha256 of its local[2] run */
  static final Map<String, String> localSha = new HashMap<>();
  static JavaSparkContext sc;

  @BeforeAll
  static void start() throws Exception {
    train = io.sparkrl.job.TestCorpus.write(tmp.resolve("corpus"), 9, 1).get(0);
    JavaSparkContext local = new JavaSparkContext(new SparkConf().setMaster("local[2]")
        .setAppName("local-reference").set("spark.ui.enabled", "false")
        .set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1"));
    try {
      for (String architecture : LocalCluster.architectures()) {
        localSha.put(architecture, train(local, architecture, "local", null));
      }
    } finally {
      local.stop();
    }
    sc = LocalCluster.start("local-cluster-test", tmp);
  }

  @AfterAll
  static void stop() {
    if (sc != null) {
      LocalCluster.stop(sc);
    }
  }

  @Test
  void executorsSampleWithTheVectorProducts() {
    // executor JVMs the job starts get --add-modules=jdk.incubator.vector (SparkDefaults)
    List<String> products = sc.parallelize(List.of(1, 2, 3, 4), 4)
        .map(i -> SamplingProducts.best().name() + " " + SamplingProducts.describe()).collect();
    for (String p : products) {
      assertTrue(p.startsWith(SamplingProducts.VECTOR_PANELS.name()), p);
    }
  }

  static JobConfig config(String architecture, String runDir) {
    List<String> keys = new ArrayList<>(List.of("corpus.train=\"" + train + "\"", "corpus.eval=\"\"",
        "run.partitions=2", "run.tasks-per-step=2", "run.prompts-per-step=4", "run.seed=11",
        "run.dir=\"" + runDir + "\"",
        "sampling.group-size=4", "sampling.max-new-tokens=8", "loss.kl.coefficient=0.1",
        "reward.functions=[{name=" + SlowReward.class.getName() + ",weight=1}]"));
    keys.addAll(LocalCluster.policy(architecture));
    return JobConfig.load(null, keys);
  }

  /**
   * STEPS steps of a policy of {@code architecture}; {@code beforeStep1} runs just before the
   * second. Returns params_sha256.
   */
  static String train(JavaSparkContext spark, String architecture, String name, Runnable beforeStep1)
      throws Exception {
    JobConfig c = config(architecture, tmp.resolve("run-" + architecture + "-" + name).toString());
    ReinforceJob job = ReinforceJob.start(spark, c, new RunDirectory(c.job().run().dir(), new Configuration()));
    String initial = ParamsDigest.sha256(job.policy().parameters());
    try {
      for (int s = 0; s < STEPS; s++) {
        if (s == 1 && beforeStep1 != null) {
          beforeStep1.run();
        }
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

  /**
   * executor id to the pid of its JVM, as the executors themselves report it, for all
   * {@link LocalCluster#EXECUTORS} executors: after a kill the replacement may register late or
   * get none of a round's short tasks, so rounds repeat until every executor has run one.
   */
  static Map<String, Long> executorPids() throws InterruptedException {
    LocalCluster.awaitExecutors(sc); // an earlier test may have killed one
    Map<String, Long> pids = new HashMap<>();
    List<Integer> tasks = java.util.stream.IntStream.range(0, 16).boxed().toList();
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (pids.size() < LocalCluster.EXECUTORS) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("within 120 s tasks ran on " + pids + " only, not on "
            + LocalCluster.EXECUTORS + " executors");
      }
      for (String s : sc.parallelize(tasks, 16).mapPartitions(new ExecutorIdentity()).collect()) {
        String[] kv = s.split("=");
        pids.put(kv[0], Long.parseLong(kv[1]));
      }
      if (pids.size() < LocalCluster.EXECUTORS) {
        Thread.sleep(200);
      }
    }
    return pids;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.sparkrl.job.cluster.LocalCluster#architectures")
  void clusterRunEqualsLocalRun(String architecture) throws Exception {
    Map<String, Long> pids = executorPids();
    long driver = ProcessHandle.current().pid();
    assertTrue(pids.values().stream().noneMatch(p -> p == driver), "a task ran in the driver: " + pids);
    assertEquals(LocalCluster.EXECUTORS, sc.sc().statusTracker().getExecutorInfos().length - 1);

    String clusterSha = train(sc, architecture, "cluster", null);
    assertEquals(localSha.get(architecture), clusterSha,
        architecture + ": params_sha256 on local-cluster differs from local[2]");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.sparkrl.job.cluster.LocalCluster#architectures")
  void executorKilledInTheMiddleOfAStepIsRetried(String architecture) throws Exception {
    Map<String, Long> pids = executorPids();
    AtomicBoolean armed = new AtomicBoolean();
    AtomicLong killed = new AtomicLong(-1);
    AtomicInteger failedTasks = new AtomicInteger();
    SparkListener killer = new SparkListener() {
      @Override
      public void onTaskStart(SparkListenerTaskStart start) {
        if (armed.compareAndSet(true, false)) {
          Long pid = pids.get(start.taskInfo().executorId());
          if (pid != null) {
            ProcessHandle.of(pid).ifPresent(p -> {
              p.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no goodbye to the driver
              killed.set(pid);
            });
          }
        }
      }

      @Override
      public void onTaskEnd(SparkListenerTaskEnd end) {
        if (end.reason() instanceof TaskFailedReason) {
          failedTasks.incrementAndGet();
        }
      }
    };
    sc.sc().addSparkListener(killer);
    long t0 = System.nanoTime();
    String sha;
    try {
      sha = train(sc, architecture, "killed", () -> armed.set(true));
    } finally {
      sc.sc().removeSparkListener(killer);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertNotEquals(-1, killed.get(), "no executor was killed: nothing tested (pids " + pids + ")");
    assertTrue(ProcessHandle.of(killed.get()).map(p -> !p.isAlive()).orElse(true));
    assertTrue(failedTasks.get() >= 1, "the kill failed no task: nothing was retried");
    assertEquals(localSha.get(architecture), sha,
        architecture + ": params_sha256 after the executor loss differs from a fault-free run");
    System.out.printf("kill test (%s): %d failed task(s) retried, %d steps in %.1f s%n",
        architecture, failedTasks.get(), STEPS, seconds);
  }
}
