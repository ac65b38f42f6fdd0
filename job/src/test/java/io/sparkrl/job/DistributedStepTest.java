package io.sparkrl.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrl.advantage.EmaBaseline;
import io.sparkrl.job.config.JobConfig;
import io.sparkrl.job.corpus.CorpusRow;
import io.sparkrl.job.corpus.JsonLines;
import io.sparkrl.job.driver.ReinforceJob;
import io.sparkrl.job.output.RunDirectory;
import io.sparkrl.optim.AdamW;
import io.sparkrl.policy.PolicySnapshot;
import io.sparkrl.step.PolicyUpdater;
import io.sparkrl.step.PromptRecord;
import io.sparkrl.step.PromptSchedule;
import io.sparkrl.step.RolloutWorker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The determinism contract on a real local[2] Spark: a distributed step equals the same step
 * computed in-process, for any partition and task count; reruns are bit-identical, and so are
 * runs over differently partitioned corpora.
 */
class DistributedStepTest {
  @TempDir static Path tmp;
  static JavaSparkContext sc;
  static String train;

  @BeforeAll
  static void start() throws Exception {
    train = TestCorpus.write(tmp.resolve("corpus"), 9, 3).get(0);
    sc = LocalSpark.start("distributed-step-test");
  }

  @AfterAll
  static void stop() {
    sc.stop();
  }

  static JobConfig config(int partitions, String estimator, String runDir, String... more) {
    List<String> overrides = new ArrayList<>(List.of("corpus.train=\"" + train + "\"", "corpus.eval=\"\"",
        "run.partitions=" + partitions, "run.prompts-per-step=6", "run.seed=42",
        "run.dir=\"" + runDir + "\"", "policy.hidden-size=24", "policy.embedding-size=8",
        "sampling.group-size=4", "sampling.max-new-tokens=10", "sampling.temperature=1.5",
        "advantage.estimator=" + estimator,
        "reward.functions=[{name=length-penalty,weight=1},{name=format,weight=0.5}]",
        "reward.format.pattern=\".*[0-9].*\"", "reward.length-penalty.free-chars=4"));
    overrides.addAll(List.of(more)); // the caller's settings win
    return JobConfig.load(null, overrides);
  }

  static ReinforceJob job(JobConfig c) throws Exception {
    return ReinforceJob.start(sc, c, new RunDirectory(c.job().run().dir(), new Configuration()));
  }

  /** The same step without Spark: the schedule's prompts, one RolloutWorker, one update. */
  static float[] inProcess(JobConfig c, PolicySnapshot start) throws Exception {
    JsonLines format = new JsonLines("prompt", "answer", "completion", false);
    List<String> lines = Files.readAllLines(Path.of(java.net.URI.create(train)));
    PromptSchedule schedule = new PromptSchedule(lines.size(), 6, 42);
    List<PromptRecord> all = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      CorpusRow row = format.parse(lines.get(i));
      all.add(new PromptRecord(i, row.prompt(), row.answer()));
    }
    List<PromptRecord> prompts = schedule.select(all.iterator(), 0, 1);
    PolicyUpdater updater = new PolicyUpdater(c.trainer(),
        new AdamW(c.trainer().optimizer(), start.parameters().length), EmaBaseline.initial());
    // the frozen reference of the KL term is the starting policy, as in the job
    var shard = new RolloutWorker(c.trainer()).run(start, start, updater.context(42, 0), prompts);
    return updater.apply(start, PolicyUpdater.merge(List.of(shard)), 6).snapshot().parameters();
  }

  @ParameterizedTest(name = "{1} partitions and tasks, {0}")
  @CsvSource({"rloo, 1", "rloo, 2", "rloo, 3", "whiten, 3", "batch-mean, 2"})
  void distributedStepEqualsInProcessStep(String estimator, int partitions) throws Exception {
    JobConfig c = config(partitions, estimator, tmp.resolve("run-" + estimator + partitions).toString(),
        "run.tasks-per-step=" + partitions);
    assertDistributedEqualsInProcess(c);
  }

  /**
   * One step through Spark against the same step in-process: the same updated parameters up to
   * float summation order.
   */
  static void assertDistributedEqualsInProcess(JobConfig c) throws Exception {
    ReinforceJob job = job(c);
    PolicySnapshot start = job.policy();
    var result = job.step();
    job.close();
    assertEquals(24, result.metrics().sequences());
    float[] distributed = job.policy().parameters();
    float[] local = inProcess(c, start);
    double diff = 0;
    double norm = 0;
    double moved = 0;
    for (int i = 0; i < local.length; i++) {
      diff += Math.pow(distributed[i] - local[i], 2);
      norm += Math.pow(local[i], 2);
      moved += Math.pow(local[i] - start.parameters()[i], 2);
    }
    assertTrue(moved > 0, "the step changed nothing: nothing tested");
    // the contract: the same updated parameters up to float summation order, <= 1e-5 relative
    assertTrue(Math.sqrt(diff / norm) <= 1e-5, "relative difference " + Math.sqrt(diff / norm));
    // and relative to the step's own change, a far stricter measure: Adam's first step is about
    // lr * sign(g), so summation-order noise in near-zero gradient coordinates (batch-mean's
    // sum(r grad) - mean * sum(grad) cancels in float) is amplified there
    assertTrue(Math.sqrt(diff / moved) <= 1e-4, "relative to the change " + Math.sqrt(diff / moved));
  }

  /**
   * A step's prompts are shared among run.tasks-per-step tasks in equal slices whatever the
   * corpus's partitioning, so the partition count does not change a single bit; and prompts
   * gathered many steps at a time are the ones gathered step by step.
   */
  @Test
  void corpusPartitioningAndPrefetchingDoNotChangeTheRun() throws Exception {
    float[] first = null;
    String[][] variants = {{"1", "4096"}, {"3", "4096"}, {"2", "6"}};
    for (String[] v : variants) {
      int partitions = Integer.parseInt(v[0]);
      JobConfig c = config(partitions, "grpo", tmp.resolve("split-" + v[0] + "-" + v[1]).toString(),
          "run.tasks-per-step=4", "run.prefetch-prompts=" + v[1], "run.steps=4");
      ReinforceJob job = job(c);
      for (int step = 0; step < 4; step++) {
        var result = job.step();
        // 6 prompts on 4 tasks: slices of 1, 2, 1, 2 prompts (x G = 4)
        assertEquals(List.of(4L, 8L, 4L, 8L),
            result.shards().stream().map(ReinforceJob.ShardFigures::sequences).toList());
      }
      // 4 steps of 6 prompts: one gathering job for 4096 prompts' worth, one per step for 6
      assertEquals(v[1].equals("6") ? 4 : 1, job.promptGathers(), "gathering jobs");
      job.close();
      if (first == null) {
        first = job.policy().parameters();
      } else {
        assertArrayEquals(first, job.policy().parameters(), "partitions " + v[0] + ", prefetch " + v[1]);
      }
    }
  }

  /** A small decoder-only transformer policy (llama or gpt2 family) over the corpus's characters. */
  static String[] transformer(String family, String... more) {
    List<String> keys = new ArrayList<>(List.of("policy.architecture=transformer",
        "policy.transformer.family=" + family, "policy.transformer.layers=1",
        "policy.transformer.model-width=16", "policy.transformer.heads=2",
        "policy.transformer.kv-heads=" + (family.equals("gpt2") ? 2 : 1),
        "policy.transformer.mlp-width=24", "policy.transformer.max-positions=64",
        "policy.transformer.attention-bias=true", "policy.transformer.tied-head=false"));
    keys.addAll(List.of(more));
    return keys.toArray(String[]::new);
  }

  /** The same contract for the transformer: distributed = in-process, any task count, with KL. */
  @ParameterizedTest(name = "transformer {0}, {1} tasks, kl {2}")
  @CsvSource({"llama, 1, 0", "llama, 3, 0.1", "gpt2, 2, 0"})
  void transformerDistributedStepEqualsInProcessStep(String family, int tasks, double kl)
      throws Exception {
    JobConfig c = config(2, "rloo", tmp.resolve("tf-" + family + tasks).toString(),
        transformer(family, "run.tasks-per-step=" + tasks, "loss.kl.coefficient=" + kl));
    assertEquals("transformer", c.trainer().policy().architecture());
    assertDistributedEqualsInProcess(c);
  }

  @Test
  void transformerRerunsAreBitIdentical() throws Exception {
    float[][] runs = new float[2][];
    for (int r = 0; r < 2; r++) {
      JobConfig c = config(3, "grpo", tmp.resolve("tf-rerun-" + r).toString(),
          transformer("llama", "run.tasks-per-step=3"));
      ReinforceJob job = job(c);
      job.step();
      job.step();
      job.close();
      runs[r] = job.policy().parameters();
    }
    assertArrayEquals(runs[0], runs[1]);
  }

  /** One step of 32 prompts shared among {@code tasks} tasks, merged with fan-in {@code fanIn}. */
  static float[][] stepWith(int tasks, int fanIn, String name) throws Exception {
    JobConfig c = config(2, "grpo", tmp.resolve(name).toString(), "run.tasks-per-step=" + tasks,
        "run.merge-fan-in=" + fanIn, "run.prompts-per-step=32", "sampling.group-size=2");
    ReinforceJob job = job(c);
    float[] start = job.policy().parameters();
    var result = job.step();
    job.close();
    assertEquals(64, result.metrics().sequences());
    // the driver received the top of the merge tree, each result the merge of whole tasks in order
    assertEquals(io.sparkrl.job.driver.TreeMerge.topResults(tasks, fanIn), result.shards().size(),
        "results that reached the driver");
    assertEquals(64, result.shards().stream().mapToLong(ReinforceJob.ShardFigures::sequences).sum());
    return new float[][] {start, job.policy().parameters()};
  }

  /**
   * The merge tree on the executors: with more tasks than the fan-in the driver receives at most
   * fan-in sums, reruns are bit-identical, and the result equals the driver-side merge (a fan-in
   * above the task count) up to float summation order; with no more tasks than the fan-in, bit
   * for bit.
   */
  @ParameterizedTest(name = "{0} tasks per step")
  @CsvSource({"2", "8", "32"})
  void treeMergeEqualsTheDriverMergeAndRerunsBitIdentically(int tasks) throws Exception {
    float[][] tree = stepWith(tasks, 4, "tree-" + tasks + "-a");
    float[][] again = stepWith(tasks, 4, "tree-" + tasks + "-b");
    assertArrayEquals(tree[1], again[1], "rerun of the tree merge");
    float[][] driver = stepWith(tasks, 1024, "driver-" + tasks);
    if (tasks <= 4) {
      assertArrayEquals(driver[1], tree[1], "a one-level tree is the driver's merge");
      return;
    }
    double diff = 0;
    double moved = 0;
    for (int i = 0; i < tree[1].length; i++) {
      diff += Math.pow(tree[1][i] - driver[1][i], 2);
      moved += Math.pow(driver[1][i] - driver[0][i], 2);
    }
    assertTrue(moved > 0, "the step changed nothing");
    assertTrue(Math.sqrt(diff / moved) <= 1e-4, "tree vs driver merge, relative to the change: "
        + Math.sqrt(diff / moved));
  }

  @Test
  void rerunsAreBitIdentical() throws Exception {
    float[][] runs = new float[2][];
    for (int r = 0; r < 2; r++) {
      JobConfig c = config(3, "grpo", tmp.resolve("rerun-" + r).toString());
      ReinforceJob job = job(c);
      job.step();
      job.step();
      job.close();
      runs[r] = job.policy().parameters();
    }
    assertArrayEquals(runs[0], runs[1]);
  }
}
