package io.sparkrl.job.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrl.job.config.JobConfig;
import io.sparkrl.job.driver.ReinforceJob;
import io.sparkrl.job.output.RunDirectory;
import io.sparkrl.policy.ParamsDigest;
import java.nio.file.Path;
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
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * REINFORCE steps with executors in separate JVMs ({@code local-cluster[2,1,1024]}): the policy
 * snapshot is serialized and broadcast over the network, the gradient sums come back over it, and
 * the result is bit-identical to the local[2] run with the same seed and task count, also
 * when an executor JVM is killed with SIGKILL in the middle of a step and its tasks are retried.
 */
@Tag("slow") // integration-test phase: mvn verify, not mvn test
class LocalClusterTest {
  static final int STEPS = 3;
  @TempDir static Path tmp;
  static String train;
  static String localSha;
  static JavaSparkContext sc;

  @BeforeAll
  static void start() throws Exception {
    train = io.sparkrl.job.TestCorpus.write(tmp.resolve("corpus"), 9, 1).get(0);
    JavaSparkContext local = new JavaSparkContext(new SparkConf().setMaster("local[2]")
        .setAppName("local-reference").set("spark.ui.enabled", "false")
        .set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1"));
    try {
      localSha = train(local, "local", null);
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

  static JobConfig config(String runDir) {
    return JobConfig.load(null, List.of("corpus.train=\"" + train + "\"", "corpus.eval=\"\"",
        "run.partitions=2", "run.tasks-per-step=2", "run.prompts-per-step=4", "run.seed=11",
        "run.dir=\"" + runDir + "\"",
        "policy.hidden-size=16", "policy.embedding-size=8", "policy.layers=1",
        "sampling.group-size=4", "sampling.max-new-tokens=8", "loss.kl.coefficient=0.1",
        "reward.functions=[{name=" + SlowReward.class.getName() + ",weight=1}]"));
  }

  /** STEPS steps; {@code beforeStep1} runs just before the second. Returns params_sha256. */
  static String train(JavaSparkContext spark, String name, Runnable beforeStep1) throws Exception {
    JobConfig c = config(tmp.resolve("run-" + name).toString());
    ReinforceJob job = ReinforceJob.start(spark, c, new RunDirectory(c.job().run().dir(), new Configuration()));
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
    return ParamsDigest.sha256(job.policy().parameters());
  }

  /** executor id to the pid of its JVM, as the executors themselves report it. */
  static Map<String, Long> executorPids() throws InterruptedException {
    LocalCluster.awaitExecutors(sc); // the other test may have killed one
    Map<String, Long> pids = new HashMap<>();
    List<Integer> tasks = java.util.stream.IntStream.range(0, 16).boxed().toList();
    for (String s : sc.parallelize(tasks, 16).mapPartitions(new ExecutorIdentity()).collect()) {
      String[] kv = s.split("=");
      pids.put(kv[0], Long.parseLong(kv[1]));
    }
    return pids;
  }

  @Test
  void clusterRunEqualsLocalRun() throws Exception {
    Map<String, Long> pids = executorPids();
    long driver = ProcessHandle.current().pid();
    assertTrue(pids.values().stream().noneMatch(p -> p == driver), "a task ran in the driver: " + pids);
    assertEquals(LocalCluster.EXECUTORS, sc.sc().statusTracker().getExecutorInfos().length - 1);

    String clusterSha = train(sc, "cluster", null);
    assertEquals(localSha, clusterSha, "params_sha256 on local-cluster differs from local[2]");
  }

  @Test
  void executorKilledInTheMiddleOfAStepIsRetried() throws Exception {
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
      sha = train(sc, "killed", () -> armed.set(true));
    } finally {
      sc.sc().removeSparkListener(killer);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertNotEquals(-1, killed.get(), "no executor was killed: nothing tested (pids " + pids + ")");
    assertTrue(ProcessHandle.of(killed.get()).map(p -> !p.isAlive()).orElse(true));
    assertTrue(failedTasks.get() >= 1, "the kill failed no task: nothing was retried");
    assertEquals(localSha, sha, "params_sha256 after the executor loss differs from a fault-free run");
    System.out.printf("kill test: %d failed task(s) retried, %d steps in %.1f s%n",
        failedTasks.get(), STEPS, seconds);
  }
}
