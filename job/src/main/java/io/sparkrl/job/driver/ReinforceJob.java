package io.sparkrl.job.driver;

import io.sparkrl.advantage.EmaBaseline;
import io.sparkrl.job.config.JobConfig;
import io.sparkrl.job.config.JobSettings;
import io.sparkrl.job.corpus.CorpusSource;
import io.sparkrl.job.corpus.LoadedCorpus;
import io.sparkrl.job.corpus.RecordRules;
import io.sparkrl.job.executor.ShardMerge;
import io.sparkrl.job.executor.SnapshotSource;
import io.sparkrl.job.executor.StepTask;
import io.sparkrl.job.output.Checkpoint;
import io.sparkrl.job.output.CheckpointStore;
import io.sparkrl.job.output.DataCursor;
import io.sparkrl.job.output.FaultPoint;
import io.sparkrl.job.output.InitFrom;
import io.sparkrl.job.output.RunDirectory;
import io.sparkrl.job.output.RunSummary;
import io.sparkrl.job.output.StepLog;
import io.sparkrl.job.output.StepRecorder;
import io.sparkrl.optim.AdamW;
import io.sparkrl.policy.Architectures;
import io.sparkrl.policy.PolicySnapshot;
import io.sparkrl.settings.SettingsException;
import io.sparkrl.step.CompletionSample;
import io.sparkrl.step.PolicyUpdater;
import io.sparkrl.step.PromptRecord;
import io.sparkrl.step.PromptSchedule;
import io.sparkrl.step.ShardResult;
import io.sparkrl.step.StepMetrics;
import io.sparkrl.step.TaskSlices;
import io.sparkrl.step.TrainerSettings;
import io.sparkrl.tokenizer.Tokenizer;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REINFORCE training loop on the driver. Each step: broadcast the policy snapshot; take the
 * step's prompts (gathered ahead from the cached corpus, {@link StepPrompts}) and share them
 * evenly among the step's tasks, which sample, score and return gradient sums for their slices;
 * merge the shards in slice order; divide by the global count, clip, AdamW; destroy the
 * broadcast; log; checkpoint.
 */
public final class ReinforceJob {
  private static final Logger LOG = LoggerFactory.getLogger(ReinforceJob.class);

  private final JavaSparkContext sc;
  private final TrainerSettings settings;
  private final JobSettings job;
  private final JavaRDD<PromptRecord> train;
  private final Evaluator evaluator;
  private final PromptSchedule schedule;
  private final StepPrompts prompts;
  private final int tasksPerStep;
  private final PolicyUpdater updater;
  /** The policy's frame once, its parameters each step. */
  private final PolicyBroadcasts broadcasts;
  /** The frozen reference of the KL term: its own frame and parameters, broadcast once. */
  private final PolicyBroadcasts referenceBroadcasts;
  private final SnapshotSource reference;
  private final JobConfig config;
  private final long corpusSize;
  private final long malformed;
  private final Long resumedFrom;
  private final Instant started = Instant.now();
  private final long startNanos = System.nanoTime();
  private PolicySnapshot policy;
  private Double lastAccuracy;

  private ReinforceJob(JavaSparkContext sc, JobConfig config, JavaRDD<PromptRecord> train,
      Evaluator evaluator, long corpusSize, long malformed, PolicySnapshot policy, PolicyUpdater updater,
      PolicySnapshot referencePolicy, Long resumedFrom) {
    this.sc = sc;
    this.config = config;
    this.corpusSize = corpusSize;
    this.malformed = malformed;
    this.resumedFrom = resumedFrom;
    this.settings = config.trainer();
    this.job = config.job();
    this.train = train;
    this.evaluator = evaluator;
    this.schedule = new PromptSchedule(corpusSize, job.run().promptsPerStep(), job.run().seed());
    this.prompts = new StepPrompts(train, schedule, job.run().promptsPerStep(),
        job.run().prefetchPrompts());
    this.tasksPerStep = tasksPerStep(sc, job.run());
    this.policy = policy;
    this.updater = updater;
    this.broadcasts = new PolicyBroadcasts(sc);
    this.referenceBroadcasts = new PolicyBroadcasts(sc);
    this.reference = settings.loss().usesReference()
        ? referenceBroadcasts.broadcast(referencePolicy) : null;
  }

  /**
   * Loads the corpus (cached, partitioned) and the starting point: the run directory's newest valid
   * checkpoint when resuming, else {@code run.init-from}'s checkpoint, else {@code run.init-policy},
   * else a fresh policy.
   */
  public static ReinforceJob start(JavaSparkContext sc, JobConfig config, RunDirectory dir)
      throws IOException {
    JobSettings job = config.job();
    TrainerSettings settings = config.trainer();
    CheckpointStore checkpoints = dir.checkpoints();
    checkpoints.removeUnfinished();
    Optional<CheckpointStore.Loaded> resume = job.run().resume()
        ? checkpoints.newestValid(true) : Optional.empty();
    Optional<CheckpointStore.Loaded> source = job.run().initFrom().isEmpty() ? Optional.empty()
        : Optional.of(InitFrom.resolve(job.run().initFrom(), sc.hadoopConfiguration()));
    // The starting policy when it comes from a file (the run's own initial-policy.bin on a resume,
    // init-from, init-policy). Its vocabulary is fixed, and prompts are checked against it; a fresh
    // policy's vocabulary is built from the corpus's good records.
    PolicySnapshot fixed = null;
    if (resume.isPresent() && dir.initialPolicy().isPresent()) {
      fixed = dir.initialPolicy().get();
    } else if (source.isPresent()) {
      fixed = atStepZero(source.get().checkpoint().policy());
    } else if (!job.run().initPolicy().isEmpty()) {
      fixed = atStepZero(io.sparkrl.job.hf.PolicySource.initPolicy(config, sc.hadoopConfiguration()));
    }
    Tokenizer vocabulary = resume.map(r -> r.checkpoint().policy().tokenizer())
        .orElse(fixed == null ? null : fixed.tokenizer());
    LoadedCorpus corpus = CorpusSource.resolve(job.corpus().train(), job.corpus(),
        job.reading().format(), RecordRules.of(settings, vocabulary, false),
        sc.hadoopConfiguration()).load(sc, job.reading().malformed());
    JavaRDD<PromptRecord> train = corpus.prompts(job.run().partitions())
        .persist(StorageLevel.MEMORY_AND_DISK());
    long size = train.count();
    if (size < job.run().promptsPerStep()) {
      throw new io.sparkrl.job.corpus.CorpusException("corpus " + job.corpus().train() + " has "
          + size + " good prompts (" + corpus.malformed() + " malformed left out), fewer than "
          + "sparkrl.run.prompts-per-step = " + job.run().promptsPerStep());
    }
    PolicySnapshot initial;
    if (fixed != null) {
      initial = fixed;
    } else {
      var fresh = FreshTokenizer.of(config, corpus.rows(), sc.hadoopConfiguration());
      initial = Architectures.fresh(settings.policy(), fresh);
    }
    corpus.release();
    int tasks = tasksPerStep(sc, job.run());
    StepResultBudget budget = StepResultBudget.reinforce(settings, initial.parameters().length,
        tasks, job.run().mergeFanIn());
    budget.check(sc.getConf(), Runtime.getRuntime().maxMemory(), job.run().mergeFanIn(),
        job.run().tasksPerStep(), tasks);
    LOG.info("step results reaching the driver: {}", budget.summary());
    ExecutorNativeFloor.of(sc.getConf(), initial.parameters().length,
        settings.loss().usesReference()).check(sc.getConf());
    Evaluator evaluator = Evaluator.heldOut(sc, config, initial.tokenizer());
    PolicySnapshot start = initial;
    PolicyUpdater updater;
    Long resumedFrom = null;
    if (resume.isPresent()) {
      Checkpoint c = resume.get().checkpoint();
      String mismatch = resume.get().metadata().cursor().mismatch(size, job.run().promptsPerStep(),
          job.run().seed());
      if (mismatch != null) {
        throw new SettingsException("sparkrl.run.resume", true, "cannot continue from "
            + resume.get().uri() + ": " + mismatch + ". To train on other data, start a new run "
            + "directory with sparkrl.run.init-from = \"" + dir.uri() + "\"");
      }
      start = c.policy();
      resumedFrom = start.step();
      updater = new PolicyUpdater(settings, AdamW.restore(settings.optimizer(), c.optimizer()), c.ema());
      LOG.info("resuming from {} (step {})", resume.get().uri(), start.step());
    } else if (source.isPresent() && job.run().carryOptimizer()) {
      Checkpoint c = source.get().checkpoint();
      updater = new PolicyUpdater(settings, AdamW.restore(settings.optimizer(), c.optimizer()), c.ema());
      LOG.info("new run from {}, optimizer state and baseline carried over", source.get().uri());
    } else {
      updater = new PolicyUpdater(settings, new AdamW(settings.optimizer(),
          initial.parameters().length), EmaBaseline.initial());
      source.ifPresent(s -> LOG.info("new run from {}, fresh optimizer state", s.uri()));
    }
    if (resume.isEmpty()) {
      dir.writeInitialPolicy(initial);
    }
    ReinforceJob reinforce = new ReinforceJob(sc, config, train, evaluator, size,
        corpus.malformed(), start, updater, initial, resumedFrom);
    LOG.info("corpus {}: {} prompts ({} malformed left out) in {} partitions; {} tasks per step; "
        + "policy: {} parameters, vocabulary of {}", job.corpus().train(), size,
        corpus.malformed(), train.getNumPartitions(), reinforce.tasksPerStep,
        start.parameters().length, start.tokenizer().size());
    return reinforce;
  }

  public PolicySnapshot policy() {
    return policy;
  }

  /** Spark jobs run so far to gather the coming steps' prompts ({@link StepPrompts}). */
  public long promptGathers() {
    return prompts.gathers();
  }

  /**
   * @param samples whole prompt groups for the completions log (none on steps that log none)
   * @param shards each task's sequences and rollout time (sample + reward + gradient), in slice
   *     order; with more tasks than {@code run.merge-fan-in}, each entry is a merged group of
   *     tasks at the top of the merge tree ({@link TreeMerge}), its times summed over its tasks
   */
  public record StepResult(StepMetrics metrics, StepLog.Phases phases, List<CompletionSample> samples,
      List<ShardFigures> shards) {}

  /**
   * One task's share of a step: its sequences and its rollout time in ms (sample + reward +
   * gradient), and those three parts.
   */
  public record ShardFigures(long sequences, double rolloutMs, double sampleMs, double rewardMs,
      double gradientMs) {
    static ShardFigures of(ShardResult r) {
      return new ShardFigures(r.main().sequences(),
          (r.sampleNanos() + r.rewardNanos() + r.gradientNanos()) / 1e6, r.sampleNanos() / 1e6,
          r.rewardNanos() / 1e6, r.gradientNanos() / 1e6);
    }
  }

  /** One REINFORCE step on the cluster. */
  public StepResult step() {
    long t0 = System.nanoTime();
    sc.setJobGroup("sparkrl-step-" + policy.step(), "step " + policy.step() + ": rollout", false);
    // the first step of a prefetch window runs the gathering job here, counted with the tasks
    List<List<PromptRecord>> slices = TaskSlices.of(prompts.of(policy.step(), lastStep()),
        tasksPerStep);
    long gathered = System.nanoTime();
    SnapshotSource snapshot = broadcasts.broadcast(policy);
    long t1 = System.nanoTime();
    List<ShardResult> shards;
    try {
      // merged in a fixed tree on the executors (at most merge-fan-in sums reach the driver), in
      // slice order: a fixed merge order, bit-identical reruns
      shards = TreeMerge.run(sc, slices, new StepTask(snapshot, reference, settings,
          updater.context(job.run().seed(), policy.step()).withSamplePrompts(
              StepRecorder.samplePrompts(job.monitor(), policy.step(), lastStep())),
          job.run().nativeThreadsPerTask()), ShardResult.class, new ShardMerge(),
          job.run().mergeFanIn());
    } finally {
      PolicyBroadcasts.release(snapshot);
    }
    long t2 = System.nanoTime();
    // the shards are read from the tasks' results: the first one's sums take the others in place
    ShardResult merged = PolicyUpdater.mergeReceived(shards);
    long t3 = System.nanoTime();
    PolicyUpdater.Outcome outcome = updater.apply(policy, merged, job.run().promptsPerStep());
    policy = outcome.snapshot();
    long t4 = System.nanoTime();
    sc.clearJobGroup();
    return new StepResult(outcome.metrics(), new StepLog.Phases((t1 - gathered) / 1e6,
        (t2 - t1 + gathered - t0) / 1e6, (t3 - t2) / 1e6, (t4 - t3) / 1e6, 0, (t4 - t0) / 1e6),
        outcome.samples(),
        shards.stream().map(ShardFigures::of).toList());
  }

  /** {@code run.tasks-per-step}, 0 meaning Spark's default parallelism; at most one per prompt. */
  static int tasksPerStep(JavaSparkContext sc, JobSettings.Run run) {
    int tasks = run.tasksPerStep() > 0 ? run.tasksPerStep() : sc.defaultParallelism();
    return Math.max(1, Math.min(tasks, run.promptsPerStep()));
  }

  private static PolicySnapshot atStepZero(PolicySnapshot p) {
    return p.withParameters(p.parameters(), 0);
  }

  /** The held-out accuracy of the last evaluation in {@link #run}, or null when none ran. */
  public Double lastAccuracy() {
    return lastAccuracy;
  }

  public Double evaluate() {
    if (evaluator == null) {
      return null;
    }
    sc.setJobGroup("sparkrl-eval-" + policy.step(), "step " + policy.step() + ": evaluate", false);
    try {
      return evaluator.accuracy(policy);
    } finally {
      sc.clearJobGroup();
    }
  }

  /**
   * Runs the remaining steps up to the last one ({@code run.steps}, or fewer by
   * {@code run.max-epochs}), logging, evaluating and checkpointing, and stopping early (with a
   * checkpoint) when {@code run.max-wall-time} would be passed. Writes summary.json.
   */
  public RunSummary.Ending run(RunDirectory dir) throws IOException {
    long last = lastStep();
    try (StepRecorder recorder = StepRecorder.open(dir, job.monitor(), rewardFunctions(),
        policy.step(), last)) {
      return run(dir, recorder, last);
    }
  }

  private long lastStep() {
    return job.run().lastStep(schedule.stepsPerEpoch());
  }

  private RunSummary.Ending run(RunDirectory dir, StepRecorder recorder, long last)
      throws IOException {
    long wallLimitNanos = job.run().maxWallTime().toNanos();
    long firstStep = policy.step();
    if (policy.step() == 0 && evaluator != null) {
      recorder.initial(evaluate());
    }
    RunSummary.Ending ending = RunSummary.Ending.FINISHED;
    long checkpointed = -1;
    long loopStart = System.nanoTime();
    while (policy.step() < last) {
      long done0 = policy.step() - firstStep;
      long elapsed = System.nanoTime() - startNanos;
      if (wallLimitNanos > 0 && done0 > 0
          && elapsed + (System.nanoTime() - loopStart) / done0 > wallLimitNanos) {
        ending = RunSummary.Ending.WALL_TIME;
        LOG.info("stopping before step {}: another step would pass sparkrl.run.max-wall-time = {}",
            policy.step() + 1, job.run().maxWallTime());
        break;
      }
      StepResult r = step();
      long done = policy.step();
      Double stepAccuracy = null;
      double evalMs = 0;
      boolean end = done == last;
      if (evaluator != null && (end || job.eval().every() > 0 && done % job.eval().every() == 0)) {
        long e0 = System.nanoTime();
        stepAccuracy = evaluate();
        lastAccuracy = stepAccuracy;
        evalMs = (System.nanoTime() - e0) / 1e6;
      }
      StepLog.Phases p = r.phases();
      StepLog.Phases phases = new StepLog.Phases(p.broadcastMs(), p.tasksMs(), p.mergeMs(),
          p.updateMs(), evalMs, p.stepMs());
      recorder.step(r.metrics(), r.samples(), stepAccuracy, phases);
      if (updater.consecutiveSkips() >= settings.maxConsecutiveSkippedSteps()) {
        dir.writeSummary(RunSummary.of(RunSummary.Ending.NON_FINITE, policy, last,
            schedule.stepsPerEpoch(), corpusSize, malformed, resumedFrom, started, dir.readMetrics()));
        throw new SkippedUpdatesException(r.metrics().step(), updater.consecutiveSkips(),
            r.metrics().nonFinite());
      }
      if (end || job.run().checkpointEvery() > 0 && done % job.run().checkpointEvery() == 0) {
        checkpoint(dir);
        checkpointed = done;
      }
      FaultPoint.reach("between-steps", done);
    }
    if (checkpointed != policy.step() && policy.step() > firstStep) {
      checkpoint(dir);
    }
    dir.writePolicy(policy);
    dir.writeSummary(RunSummary.of(ending, policy, last, schedule.stepsPerEpoch(), corpusSize,
        malformed, resumedFrom, started, dir.readMetrics()));
    return ending;
  }

  private void checkpoint(RunDirectory dir) throws IOException {
    dir.checkpoints().write(Checkpoint.of(policy, updater.optimizer(), updater.ema()),
        DataCursor.at(policy.step(), corpusSize, job.run().promptsPerStep(), job.run().seed()),
        config.render(), job.run().keepCheckpoints());
  }

  private List<String> rewardFunctions() {
    return settings.reward().functions().stream().map(f -> f.name()).toList();
  }

  public void close() {
    if (reference != null) {
      PolicyBroadcasts.release(reference);
    }
    referenceBroadcasts.close();
    broadcasts.close();
    train.unpersist(false);
  }
}
