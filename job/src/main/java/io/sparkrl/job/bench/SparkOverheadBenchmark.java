package io.sparkrl.job.bench;

import io.sparkrl.advantage.EmaBaseline;
import io.sparkrl.job.config.JobConfig;
import io.sparkrl.job.corpus.ArithmeticTask;
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
import io.sparkrl.step.ShardResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Spark's overhead on a REINFORCE step: the same steps (same seed, prompts, settings) run by the
 * job on local[2] and in-process without Spark, one thread, reporting steps/s, tokens/s and the
 * ratio. Run it with {@code scripts/bench-job.sh [steps] [key=value ...]}.
 *
 * <p>In-process runs the whole batch as one shard on one thread; local[2] runs two tasks on the
 * machine's two cores, so a ratio above 1 means Spark's parallelism outweighs its overhead.
 */
public final class SparkOverheadBenchmark {
  public static void main(String[] args) throws Exception {
    int steps = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    List<String> overrides = new ArrayList<>(List.of(args).subList(Math.min(1, args.length), args.length));
    Path tmp = Files.createTempDirectory("sparkrl-bench");
    JobConfig probe = JobConfig.load(null, overrides);
    List<String> corpus = ArithmeticTask.write(ArithmeticTask.generate(probe.job().arithmetic(),
        probe.job().corpus()), tmp.resolve("corpus").toString(), new Configuration());
    overrides.addAll(List.of("corpus.train=\"" + corpus.get(0) + "\"", "corpus.eval=\"\"",
        "run.dir=\"" + tmp.resolve("run") + "\"", "run.partitions=2"));
    JobConfig config = JobConfig.load(null, overrides);
    int b = config.job().run().promptsPerStep();
    System.out.printf("benchmark: %d steps of %d prompts x %d completions; policy %d x LSTM-%d;"
        + " OMP_NUM_THREADS=%s%n", steps, b, config.trainer().sampling().groupSize(),
        config.trainer().policy().layers(), config.trainer().policy().hiddenSize(),
        System.getenv("OMP_NUM_THREADS"));

    JavaSparkContext sc = new JavaSparkContext(new SparkConf().setMaster("local[2]")
        .setAppName("sparkrl-bench").set("spark.ui.enabled", "false"));
    sc.setLogLevel("WARN");
    ReinforceJob job = ReinforceJob.start(sc, config,
        new RunDirectory(tmp.resolve("run").toString(), new Configuration()));
    PolicySnapshot start = job.policy();
    job.step(); // warm-up: JIT, network build on the task threads
    long tokens = 0;
    long t0 = System.nanoTime();
    for (int s = 1; s <= steps; s++) {
      tokens += job.step().metrics().completionTokens();
    }
    double sparkSeconds = (System.nanoTime() - t0) / 1e9;
    job.close();
    sc.stop();

    JsonLines format = new JsonLines("prompt", "answer", "completion", false);
    List<String> lines = Files.readAllLines(Path.of(java.net.URI.create(corpus.get(0))));
    List<PromptRecord> all = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      CorpusRow row = format.parse(lines.get(i), corpus.get(0), 0);
      all.add(new PromptRecord(i, row.prompt(), row.answer()));
    }
    PromptSchedule schedule = new PromptSchedule(all.size(), b, config.job().run().seed());
    PolicyUpdater updater = new PolicyUpdater(config.trainer(),
        new AdamW(config.trainer().optimizer(), start.parameters().length), EmaBaseline.initial());
    RolloutWorker worker = new RolloutWorker(config.trainer());
    PolicySnapshot policy = start;
    long localTokens = 0;
    long t1 = 0;
    for (int s = 0; s <= steps; s++) {
      if (s == 1) {
        t1 = System.nanoTime(); // step 0 is the warm-up, as above
      }
      long step = policy.step();
      List<PromptRecord> prompts = schedule.select(all.iterator(), step);
      ShardResult shard = worker.run(policy, start, updater.context(config.job().run().seed(), step), prompts);
      var outcome = updater.apply(policy, PolicyUpdater.merge(List.of(shard)), b);
      policy = outcome.snapshot();
      if (s > 0) {
        localTokens += outcome.metrics().completionTokens();
      }
    }
    double localSeconds = (System.nanoTime() - t1) / 1e9;
    System.out.printf("local[2] Spark job: %.2f steps/s, %,.0f tokens/s (%.0f ms/step)%n",
        steps / sparkSeconds, tokens / sparkSeconds, sparkSeconds * 1000 / steps);
    System.out.printf("in-process, 1 thread: %.2f steps/s, %,.0f tokens/s (%.0f ms/step)%n",
        steps / localSeconds, localTokens / localSeconds, localSeconds * 1000 / steps);
    System.out.printf("ratio, Spark local[2] / in-process steps/s: %.2f%n",
        (steps / sparkSeconds) / (steps / localSeconds));
    System.out.printf("same final parameters: %s%n",
        java.util.Arrays.equals(policy.parameters(), job.policy().parameters()) ? "bit-identical"
            : "differ (float summation order across partitions)");
  }
}
