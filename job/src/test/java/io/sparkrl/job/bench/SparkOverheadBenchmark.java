package io.sparkrl.job.bench;

import io.sparkrl.advantage.EmaBaseline;
import io.sparkrl.job.config.JobConfig;
import io.sparkrl.job.corpus.ArithmeticTask;
import io.sparkrl.job.corpus.CorpusRow;
import io.sparkrl.job.corpus.JsonLines;
import io.sparkrl.job.driver.ReinforceJob;
import io.sparkrl.job.driver.SparkDefaults;
import io.sparkrl.job.executor.SnapshotSource;
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
 * ratio. Run it with {@code scripts/bench-job.sh [steps] [size:batch] [key=value ...]}.
 *
 * <p>Both runs first take {@code BENCH_WARMUP} (default {@value #WARMUP}) untimed steps: until
 * the JIT has compiled Spark's own scheduling paths (which run once per job, not once per token as
 * the rollout does), Spark steps run several ms slower, and a training run of hundreds of steps
 * spends most of its time past that point. The report gives the untimed steps' medians in windows
 * (how the ratio settles), then for the timed steps
 * the median and mean ms/step of each, their ratios, where the Spark step's time goes
 * ({@link StepBreakdown}), and each timed step's row ({@link StepCosts}): both step times, their
 * ratio, and the bytes and time of the step's parameter broadcast and of its gradient-sum results
 * and their merge.
 *
 * <p>In-process runs the whole batch as one shard on one thread; local[2] runs two tasks on the
 * machine's two cores, so a ratio below 1 means Spark's parallelism outweighs its overhead.
 */
public final class SparkOverheadBenchmark {
  /** Steps run, untimed, before the timed ones (JIT, per-thread networks and buffers). */
  private static final int WARMUP = 150;

  public static void main(String[] args) throws Exception {
    int steps = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    List<String> given = List.of(args).subList(Math.min(1, args.length), args.length);
    List<String> overrides = named(given,
        JobConfig.load(null, given.stream().filter(a -> a.contains("=")).toList())
            .trainer().sampling().groupSize());
    Path tmp = Files.createTempDirectory("sparkrl-bench");
    JobConfig probe = JobConfig.load(null, overrides);
    List<String> corpus = ArithmeticTask.write(ArithmeticTask.generate(probe.job().arithmetic(),
        probe.job().corpus()), tmp.resolve("corpus").toString(), new Configuration());
    int warmup = Integer.parseInt(System.getenv().getOrDefault("BENCH_WARMUP",
        Integer.toString(WARMUP)));
    overrides.addAll(List.of("corpus.train=\"" + corpus.get(0) + "\"", "corpus.eval=\"\"",
        "run.dir=\"" + tmp.resolve("run") + "\"", "run.partitions=2",
        "run.steps=" + (warmup + steps)));
    JobConfig config = JobConfig.load(null, overrides);
    int b = config.job().run().promptsPerStep();
    System.out.printf("benchmark: %d steps (after %d untimed) of %d prompts x %d completions; policy"
        + " %s; OMP_NUM_THREADS=%s%n", steps, warmup, b, config.trainer().sampling().groupSize(),
        config.trainer().policy().architecture().equals("lstm")
            ? config.trainer().policy().layers() + " x LSTM-" + config.trainer().policy().hiddenSize()
            : "transformer " + config.trainer().policy().transformer(),
        System.getenv("OMP_NUM_THREADS"));

    JsonLines format = new JsonLines("prompt", "answer", "completion", false);
    List<String> lines = Files.readAllLines(Path.of(java.net.URI.create(corpus.get(0))));
    List<PromptRecord> all = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      CorpusRow row = format.parse(lines.get(i));
      all.add(new PromptRecord(i, row.prompt(), row.answer()));
    }
    PromptSchedule schedule = new PromptSchedule(all.size(), b, config.job().run().seed());

    JavaSparkContext sc = new JavaSparkContext(SparkDefaults.apply(new SparkConf()
        .setMaster("local[2]").setAppName("sparkrl-bench").set("spark.ui.enabled", "false")));
    sc.setLogLevel("WARN");
    TaskTimeline timeline = new TaskTimeline();
    sc.sc().addSparkListener(timeline);
    ReinforceJob job = ReinforceJob.start(sc, config,
        new RunDirectory(tmp.resolve("run").toString(), new Configuration()));
    PolicySnapshot start = job.policy();
    PolicyUpdater updater = new PolicyUpdater(config.trainer(),
        new AdamW(config.trainer().optimizer(), start.parameters().length), EmaBaseline.initial());
    RolloutWorker worker = new RolloutWorker(config.trainer());
    PolicySnapshot policy = start;
    StepBreakdown breakdown = new StepBreakdown(config.trainer().sampling().groupSize());
    StepCosts costs = new StepCosts();
    // the JVM's CPU time over a step's wall time: the cores the step got on a shared machine
    var cpu = (com.sun.management.OperatingSystemMXBean)
        java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    long javaSerializedParameters = serializedBytes(new SnapshotSource.StepParameters(
        start.step(), start.parameters()));
    System.out.printf("policy: %,d parameters, %s as Java-serialized StepParameters%n",
        start.parameters().length, StepCosts.mb(javaSerializedParameters));
    double[] sparkMs = new double[steps];
    double[] localMs = new double[steps];
    double[] selectMs = new double[steps];
    double[] localSampleMs = new double[steps];
    double[] localGradientMs = new double[steps];
    double[] localUpdateMs = new double[steps];
    double[] warmSparkMs = new double[warmup];
    double[] warmLocalMs = new double[warmup];
    long tokens = 0;
    long localTokens = 0;
    // lockstep: a Spark step, then the same step in-process, so that both see the same JIT state
    // and the same load on the machine; the first `warmup` pairs are not timed
    for (int s = -warmup; s < steps; s++) {
      long c = cpu.getProcessCpuTime();
      long t = System.nanoTime();
      ReinforceJob.StepResult r = job.step();
      double ms = (System.nanoTime() - t) / 1e6;
      double sparkCores = (cpu.getProcessCpuTime() - c) / 1e6 / ms;
      try { // Spark's metrics of this step's tasks and blocks
        sc.sc().listenerBus().waitUntilEmpty();
      } catch (Exception e) { // not empty within Spark's 10 s: drain() waits on for the tasks
        System.out.println("listener bus still busy: " + e);
      }
      List<TaskTimeline.Task> tasks = timeline.drain(r.shards().size());
      TaskTimeline.Stored stored = timeline.drainStored();

      long c0 = cpu.getProcessCpuTime();
      long t0 = System.nanoTime();
      long step = policy.step();
      List<PromptRecord> prompts = schedule.select(all.iterator(), step, 1);
      long ts = System.nanoTime();
      ShardResult shard = worker.run(policy, start, updater.context(config.job().run().seed(), step), prompts);
      long tu = System.nanoTime();
      var outcome = updater.apply(policy, PolicyUpdater.merge(List.of(shard)), b);
      policy = outcome.snapshot();
      long tuEnd = System.nanoTime();
      // the in-process step ends here: the report below serializes a gradient-sized shard
      double oneThreadMs = (System.nanoTime() - t0) / 1e6;
      double oneThreadCores = (cpu.getProcessCpuTime() - c0) / 1e6 / oneThreadMs;
      if (s == 0 || s == steps - 1) {
        System.out.printf("in-process shard of %d prompts: %.1f KB serialized (Java), %d of %d"
            + " gradient entries non-zero, reward mean %.3f%n", prompts.size(),
            serializedBytes(shard) / 1024.0, java.util.Arrays.stream(shard.main().gradient())
                .filter(x -> x != 0).count(), shard.main().gradient().length,
            outcome.metrics().rewardMean());
      }
      if (s < 0) {
        warmSparkMs[warmup + s] = ms;
        warmLocalMs[warmup + s] = oneThreadMs;
      } else {
        sparkMs[s] = ms;
        tokens += r.metrics().completionTokens();
        breakdown.add(r, tasks);
        localMs[s] = oneThreadMs;
        costs.add(localMs[s], ms, r, tasks, stored, sparkCores, oneThreadCores);
        selectMs[s] = (ts - t0) / 1e6;
        localSampleMs[s] = shard.sampleNanos() / 1e6;
        localGradientMs[s] = shard.gradientNanos() / 1e6;
        localUpdateMs[s] = (tuEnd - tu) / 1e6;
        localTokens += outcome.metrics().completionTokens();
      }
    }
    job.close();
    sc.stop();
    printWarmup(warmSparkMs, warmLocalMs);
    breakdown.print();
    System.out.printf("in-process: select over %d rows %.3f ms (median)%n", all.size(),
        StepBreakdown.median(selectMs));
    System.out.printf("in-process (medians): sample %,.1f ms, gradient %,.1f ms, merge + AdamW +"
        + " metrics %,.1f ms%n", StepBreakdown.median(localSampleMs),
        StepBreakdown.median(localGradientMs), StepBreakdown.median(localUpdateMs));
    double sparkMedian = StepBreakdown.median(sparkMs);
    double localMedian = StepBreakdown.median(localMs);
    double sparkMean = StepBreakdown.mean(sparkMs);
    double localMean = StepBreakdown.mean(localMs);
    System.out.printf("local[2] Spark job: median %.1f ms/step, mean %.1f ms/step, %,.0f tokens/s%n",
        sparkMedian, sparkMean, tokens / (sparkMean * steps / 1000));
    System.out.printf("in-process, 1 thread: median %.1f ms/step, mean %.1f ms/step, %,.0f tokens/s%n",
        localMedian, localMean, localTokens / (localMean * steps / 1000));
    System.out.printf("ratio, Spark local[2] / in-process time per step: median %.2f, mean %.2f%n",
        sparkMedian / localMedian, sparkMean / localMean);
    double[] paired = new double[steps];
    for (int i = 0; i < steps; i++) {
      paired[i] = sparkMs[i] / localMs[i];
    }
    System.out.printf("ratio of each lockstep pair (a Spark step / the in-process step after it):"
        + " median %.2f, range %.2f-%.2f%n", StepBreakdown.median(paired),
        java.util.Arrays.stream(paired).min().orElse(0), java.util.Arrays.stream(paired).max()
            .orElse(0));
    costs.print(javaSerializedParameters);
    System.out.printf("same final parameters: %s%n",
        java.util.Arrays.equals(policy.parameters(), job.policy().parameters()) ? "bit-identical"
            : "differ (float summation order across partitions)");
  }

  /**
   * The arguments with each {@code size:batch} (as {@code bench-step.sh} names them: {@code default}
   * = 2 x LSTM-128, {@code large} = 2 x LSTM-512, embedding 32; {@code tiny} and {@code small} the
   * Llama-style transformers; batch = sequences = prompts x G)
   * replaced by its settings, plus an entropy bonus of 0.01 so that the fresh policy's gradient
   * sums are dense, as in real training (it earns no reward, so without it every gradient is
   * zero). {@code key=value} arguments after it override these.
   */
  static List<String> named(List<String> args, int groupSize) {
    List<String> out = new ArrayList<>();
    for (String a : args) {
      if (a.contains("=")) {
        out.add(a);
        continue;
      }
      String[] parts = a.split(":");
      List<String> policy = parts.length != 2 ? List.of() : switch (parts[0]) {
        case "default" -> List.of("policy.layers=2", "policy.embedding-size=32",
            "policy.hidden-size=128");
        case "large" -> List.of("policy.layers=2", "policy.embedding-size=32",
            "policy.hidden-size=512");
        // bench-step.sh's transformer shapes, over this corpus's character vocabulary
        case "tiny" -> transformer(4, 128, 4, 384);
        case "small" -> transformer(8, 512, 8, 1408);
        default -> List.of();
      };
      int batch = parts.length == 2 && parts[1].matches("[0-9]+") ? Integer.parseInt(parts[1]) : 0;
      if (policy.isEmpty() || batch == 0 || batch % groupSize != 0) {
        throw new IllegalArgumentException("\"" + a + "\": expected key=value or size:batch with"
            + " size default, large, tiny or small and batch a multiple of sampling.group-size = "
            + groupSize);
      }
      out.addAll(policy);
      out.addAll(List.of("run.prompts-per-step=" + batch / groupSize,
          "loss.entropy-coefficient=0.01"));
    }
    return out;
  }

  /** A Llama-style transformer policy of this shape (kv heads = heads). */
  private static List<String> transformer(int layers, int width, int heads, int mlp) {
    return List.of("policy.architecture=transformer", "policy.transformer.family=llama",
        "policy.transformer.layers=" + layers, "policy.transformer.model-width=" + width,
        "policy.transformer.heads=" + heads, "policy.transformer.kv-heads=" + heads,
        "policy.transformer.mlp-width=" + mlp, "policy.transformer.max-positions=128");
  }

  /** Medians of the untimed steps, in windows: how long Spark's own code paths take to warm up. */
  private static void printWarmup(double[] spark, double[] local) {
    int[] edges = {0, 10, 30, 60, 100, 150, 250};
    for (int i = 0; i + 1 < edges.length && edges[i] < spark.length; i++) {
      int to = Math.min(edges[i + 1], spark.length);
      double sm = StepBreakdown.median(java.util.Arrays.copyOfRange(spark, edges[i], to));
      double lm = StepBreakdown.median(java.util.Arrays.copyOfRange(local, edges[i], to));
      System.out.printf("untimed steps %3d-%3d: local[2] median %6.1f ms, in-process %6.1f ms,"
          + " ratio %.2f%n", edges[i] + 1, to, sm, lm, sm / lm);
    }
  }

  private static int serializedBytes(Object o) throws java.io.IOException {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
      out.writeObject(o);
    }
    return bytes.size();
  }
}
