package io.sparkrl.job.driver;

import io.sparkrl.advantage.EmaBaseline;
import io.sparkrl.job.config.JobConfig;
import io.sparkrl.job.config.JobSettings;
import io.sparkrl.job.corpus.CorpusSource;
import io.sparkrl.job.corpus.LoadedCorpus;
import io.sparkrl.job.corpus.RecordRules;
import io.sparkrl.job.executor.StepTask;
import io.sparkrl.job.output.Checkpoint;
import io.sparkrl.job.output.RunDirectory;
import io.sparkrl.job.output.StepLog;
import io.sparkrl.optim.AdamW;
import io.sparkrl.policy.PolicyFactory;
import io.sparkrl.policy.PolicySnapshot;
import io.sparkrl.step.PolicyUpdater;
import io.sparkrl.step.PromptRecord;
import io.sparkrl.step.PromptSchedule;
import io.sparkrl.step.ShardResult;
import io.sparkrl.step.StepMetrics;
import io.sparkrl.step.TrainerSettings;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.nd4j.linalg.api.buffer.DataType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REINFORCE training loop on the driver. Each step: broadcast the policy snapshot; each
 * partition's task samples, scores and returns gradient sums for its share of the step's prompts;
 * merge the shards in partition order; divide by the global count, clip, AdamW; destroy the
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
  private final PolicyUpdater updater;
  private final Broadcast<PolicySnapshot> reference;
  private PolicySnapshot policy;

  private ReinforceJob(JavaSparkContext sc, JobConfig config, JavaRDD<PromptRecord> train,
      Evaluator evaluator, long corpusSize, PolicySnapshot policy, PolicyUpdater updater,
      PolicySnapshot referencePolicy) {
    this.sc = sc;
    this.settings = config.trainer();
    this.job = config.job();
    this.train = train;
    this.evaluator = evaluator;
    this.schedule = new PromptSchedule(corpusSize, job.run().promptsPerStep(), job.run().seed());
    this.policy = policy;
    this.updater = updater;
    this.reference = settings.loss().usesReference() ? sc.broadcast(referencePolicy) : null;
  }

  /**
   * Loads the corpus (cached, partitioned) and the starting policy: the run directory's latest
   * checkpoint when resuming, else {@code run.init-policy}, else a fresh policy.
   */
  public static ReinforceJob start(JavaSparkContext sc, JobConfig config, RunDirectory dir)
      throws IOException {
    JobSettings job = config.job();
    TrainerSettings settings = config.trainer();
    // A policy file fixes the vocabulary, and prompts are checked against it; a fresh policy's
    // vocabulary is built from the corpus's good records.
    PolicySnapshot fixed = job.run().initPolicy().isEmpty() ? null
        : RunDirectory.readPolicy(job.run().initPolicy(), sc.hadoopConfiguration());
    LoadedCorpus corpus = CorpusSource.resolve(job.corpus().train(), job.corpus(),
        job.reading().format(), RecordRules.of(settings, fixed == null ? null : fixed.vocabulary(),
            false), sc.hadoopConfiguration()).load(sc, job.reading().malformed());
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
      initial = fixed.withParameters(fixed.parameters(), 0);
    } else {
      var vocabulary = CorpusVocabulary.of(corpus.rows(), settings.reward().answerPrefix());
      initial = PolicySnapshot.of(PolicyFactory.create(settings.policy(), vocabulary.size(),
          DataType.FLOAT), vocabulary, 0);
    }
    corpus.release();
    Evaluator evaluator = Evaluator.heldOut(sc, config, initial.vocabulary());
    Optional<Checkpoint> resume = job.run().resume() ? dir.latestCheckpoint() : Optional.empty();
    PolicySnapshot start = initial;
    PolicyUpdater updater;
    if (resume.isPresent()) {
      Checkpoint c = resume.get();
      start = c.policy();
      updater = new PolicyUpdater(settings, AdamW.restore(settings.optimizer(), c.optimizer()), c.ema());
      LOG.info("resuming from the checkpoint of step {} in {}", start.step(), dir.uri());
    } else {
      updater = new PolicyUpdater(settings, new AdamW(settings.optimizer(),
          initial.parameters().length), EmaBaseline.initial());
    }
    LOG.info("corpus {}: {} prompts ({} malformed left out) in {} partitions; policy: {} "
        + "parameters, vocabulary of {}", job.corpus().train(), size, corpus.malformed(),
        train.getNumPartitions(), start.parameters().length, start.vocabulary().size());
    return new ReinforceJob(sc, config, train, evaluator, size, start, updater, initial);
  }

  public PolicySnapshot policy() {
    return policy;
  }

  public record StepResult(StepMetrics metrics, StepLog.Phases phases) {}

  /** One REINFORCE step on the cluster. */
  public StepResult step() {
    long t0 = System.nanoTime();
    Broadcast<PolicySnapshot> snapshot = sc.broadcast(policy);
    long t1 = System.nanoTime();
    List<ShardResult> shards;
    try {
      shards = train.mapPartitions(new StepTask(snapshot, reference, settings, schedule,
          updater.context(job.run().seed(), policy.step()), job.run().nativeThreadsPerTask()))
          .collect(); // in partition order: a fixed merge order, bit-identical reruns
    } finally {
      snapshot.destroy();
    }
    long t2 = System.nanoTime();
    ShardResult merged = PolicyUpdater.merge(shards);
    long t3 = System.nanoTime();
    PolicyUpdater.Outcome outcome = updater.apply(policy, merged, job.run().promptsPerStep());
    policy = outcome.snapshot();
    long t4 = System.nanoTime();
    return new StepResult(outcome.metrics(), new StepLog.Phases((t1 - t0) / 1e6, (t2 - t1) / 1e6,
        (t3 - t2) / 1e6, (t4 - t3) / 1e6, 0, (t4 - t0) / 1e6));
  }

  public Double evaluate() {
    return evaluator == null ? null : evaluator.accuracy(policy);
  }

  /** Runs the remaining steps, logging, evaluating and checkpointing; returns the final accuracy. */
  public Double run(RunDirectory dir) throws IOException {
    int steps = job.run().steps();
    dir.openMetrics(policy.step());
    Double accuracy = null;
    if (policy.step() == 0 && evaluator != null) {
      accuracy = evaluate();
      LOG.info("step     0 | held-out greedy accuracy before training {}", format(accuracy));
      dir.appendMetrics(java.util.Map.of("step", 0, "eval_accuracy", accuracy, "phase", "initial"));
    }
    while (policy.step() < steps) {
      StepResult r = step();
      long done = policy.step();
      Double stepAccuracy = null;
      double evalMs = 0;
      boolean last = done == steps;
      if (evaluator != null && (last || job.eval().every() > 0 && done % job.eval().every() == 0)) {
        long e0 = System.nanoTime();
        stepAccuracy = evaluate();
        accuracy = stepAccuracy;
        evalMs = (System.nanoTime() - e0) / 1e6;
      }
      StepLog.Phases p = r.phases();
      StepLog.Phases phases = new StepLog.Phases(p.broadcastMs(), p.tasksMs(), p.mergeMs(),
          p.updateMs(), evalMs, p.stepMs());
      LOG.info(StepLog.line(r.metrics(), stepAccuracy, phases));
      dir.appendMetrics(StepLog.record(r.metrics(), stepAccuracy, phases));
      if (last || job.run().checkpointEvery() > 0 && done % job.run().checkpointEvery() == 0) {
        dir.writeCheckpoint(Checkpoint.of(policy, updater.optimizer(), updater.ema()));
      }
    }
    dir.writePolicy(policy);
    return accuracy;
  }

  private static String format(Double accuracy) {
    return accuracy == null ? "n/a" : String.format("%.3f", accuracy);
  }

  public void close() {
    if (reference != null) {
      reference.destroy();
    }
    train.unpersist(false);
  }
}
