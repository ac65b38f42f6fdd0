package io.sparkrl.job.driver;

import io.sparkrl.gradient.GradientSum;
import io.sparkrl.job.config.JobConfig;
import io.sparkrl.job.config.JobSettings;
import io.sparkrl.job.corpus.CorpusSource;
import io.sparkrl.job.corpus.LoadedCorpus;
import io.sparkrl.job.corpus.RecordRules;
import io.sparkrl.job.executor.GradientSumMerge;
import io.sparkrl.job.executor.SftLossTask;
import io.sparkrl.job.executor.SftTask;
import io.sparkrl.job.executor.SnapshotSource;
import io.sparkrl.job.output.RunDirectory;
import io.sparkrl.optim.AdamW;
import io.sparkrl.optim.OptimizerSettings;
import io.sparkrl.optim.ScheduleSettings;
import io.sparkrl.optim.ScheduleType;
import io.sparkrl.optim.UpdateReport;
import io.sparkrl.policy.Architectures;
import io.sparkrl.policy.PolicySnapshot;
import io.sparkrl.step.PromptRecord;
import io.sparkrl.step.PromptSchedule;
import io.sparkrl.step.TaskSlices;
import io.sparkrl.step.TrainerSettings;
import io.sparkrl.tokenizer.Tokenizer;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Supervised training through the REINFORCE step's machinery, for any policy architecture: each
 * step's {@code sparkrl.sft.batch-size} examples (a seeded permutation per epoch, as the REINFORCE
 * prompt schedule draws them) are shared among {@code run.tasks-per-step} tasks; each task returns
 * the gradient sum of {@code -sum log pi} over its examples' reference-completion tokens
 * ({@link io.sparkrl.step.SupervisedWorker}); the sums are merged in slice order (in a fixed tree
 * on the executors above {@code run.merge-fan-in} tasks, as REINFORCE's are), the driver divides by
 * the global token count and applies AdamW (learning rate {@code sft.learning-rate}, times
 * {@code sft.learning-rate-decay} each epoch; betas, epsilon and clipping from
 * {@code sparkrl.optimizer}; no weight decay). After each epoch: the mean training loss per token,
 * the held-out loss per token (when {@code corpus.eval} has completions) and held-out accuracy.
 */
final class GradientSumSft {
  private static final Logger LOG = LoggerFactory.getLogger(GradientSumSft.class);

  private GradientSumSft() {}

  static PolicySnapshot run(JavaSparkContext sc, JobConfig config, RunDirectory dir)
      throws IOException {
    JobSettings job = config.job();
    TrainerSettings settings = config.trainer();
    PolicySnapshot fixed = job.run().initPolicy().isEmpty() ? null
        : io.sparkrl.job.hf.PolicySource.initPolicy(config, sc.hadoopConfiguration());
    LoadedCorpus corpus = CorpusSource.resolve(job.corpus().train(), job.corpus(),
        job.reading().format(), RecordRules.of(settings, fixed == null ? null : fixed.tokenizer(),
            true), sc.hadoopConfiguration()).load(sc, job.reading().malformed());
    PolicySnapshot initial = fixed != null ? fixed : Architectures.fresh(settings.policy(),
        FreshTokenizer.of(config, corpus.rows(), sc.hadoopConfiguration()));
    JavaRDD<PromptRecord> examples = corpus.examples(job.run().partitions(), job.sft().maxExamples())
        .persist(StorageLevel.MEMORY_AND_DISK());
    long size = examples.count();
    corpus.release();
    int batch = (int) Math.min(job.sft().batchSize(), size);
    if (batch < 1) {
      throw new io.sparkrl.job.corpus.CorpusException("corpus " + job.corpus().train()
          + " has no good examples for sft");
    }
    PromptSchedule schedule = new PromptSchedule(size, batch, job.run().seed());
    long stepsPerEpoch = schedule.stepsPerEpoch();
    long lastStep = stepsPerEpoch * job.sft().epochs();
    StepPrompts steps = new StepPrompts(examples, schedule, batch, job.run().prefetchPrompts());
    int tasks = Math.max(1, Math.min(batch, job.run().tasksPerStep() > 0 ? job.run().tasksPerStep()
        : sc.defaultParallelism()));
    StepResultBudget.sft(initial.parameters().length, tasks, job.run().mergeFanIn())
        .check(sc.getConf(), Runtime.getRuntime().maxMemory(), job.run().mergeFanIn(),
            job.run().tasksPerStep(), tasks);
    ExecutorNativeFloor.of(sc.getConf(), initial.parameters().length, false).check(sc.getConf());
    Evaluator evaluator = Evaluator.heldOut(sc, config, initial.tokenizer());
    JavaRDD<PromptRecord> heldOut = heldOutExamples(sc, config, initial.tokenizer());
    LOG.info("sft (gradient sums): {} examples, {} per step in {} tasks, {} steps per epoch, {}"
        + " parameters ({}), {} epochs", size, batch, tasks, stepsPerEpoch,
        initial.parameters().length, initial.architecture().name(), job.sft().epochs());

    float[] parameters = initial.parameters().clone();
    PolicyBroadcasts broadcasts = new PolicyBroadcasts(sc);
    OptimizerSettings base = settings.optimizer();
    AdamW adamw = null;
    dir.openMetrics(0);
    PolicySnapshot policy = initial;
    JobSettings.Sft sft = job.sft();
    long step = 0;
    boolean reached = false;
    for (int epoch = 1; epoch <= sft.epochs() && !reached; epoch++) {
      long t0 = System.nanoTime();
      OptimizerSettings epochSettings = new OptimizerSettings(sft.learningRate(epoch),
          base.beta1(), base.beta2(), base.epsilon(), 0.0, base.maxGradNorm(),
          new ScheduleSettings(ScheduleType.CONSTANT, 0, 1, 0));
      adamw = adamw == null ? new AdamW(epochSettings, parameters.length)
          : AdamW.restore(epochSettings, adamw.state());
      double lossSum = 0;
      long tokens = 0;
      double gradNorm = 0;
      Double stepAccuracy = null;
      long epochEnd = Math.min(stepsPerEpoch * epoch, lastStep);
      for (; step < epochEnd && !reached; step++) {
        List<List<PromptRecord>> slices = TaskSlices.of(steps.of(step, lastStep), tasks);
        SnapshotSource snapshot = broadcasts.broadcast(policy);
        List<GradientSum> sums;
        try {
          // at most merge-fan-in sums reach the driver, merged in a fixed tree (TreeMerge)
          sums = TreeMerge.run(sc, slices, new SftTask(snapshot, settings,
              job.run().nativeThreadsPerTask()), GradientSum.class, new GradientSumMerge(),
              job.run().mergeFanIn());
        } finally {
          PolicyBroadcasts.release(snapshot);
        }
        GradientSum total = null;
        for (GradientSum s : sums) { // read from the tasks' results: added into in place
          total = total == null ? s : total.plusInPlace(s);
        }
        double[] mean = total.gradient().clone();
        for (int i = 0; i < mean.length; i++) {
          mean[i] /= total.tokens();
        }
        UpdateReport report = adamw.apply(parameters, mean);
        gradNorm = report.gradNorm();
        lossSum += total.lossSum();
        tokens += total.tokens();
        policy = initial.withParameters(parameters.clone(), 0);
        long done = step + 1;
        if (sft.evalEverySteps() > 0 && done % sft.evalEverySteps() == 0 && done < epochEnd) {
          stepAccuracy = evaluator.accuracy(policy);
          reached = withinEpoch(stepAccuracy, epoch, done, sft, dir);
        }
      }
      double ms = (System.nanoTime() - t0) / 1e6;
      double trainLoss = lossSum / Math.max(1, tokens);
      boolean evaluate = epoch == sft.epochs() || sft.stopsAtAccuracy()
          || job.eval().every() > 0 && epoch % job.eval().every() == 0
          || sft.evalEverySteps() > 0 && step % sft.evalEverySteps() == 0;
      Double accuracy = reached ? stepAccuracy // the policy it stopped at, evaluated
          : evaluate && evaluator != null ? evaluator.accuracy(policy) : null;
      Double heldOutLoss = evaluate && heldOut != null
          ? heldOutLoss(sc, heldOut, policy, settings, job, broadcasts) : null;
      reached |= accuracy != null && sft.stopsAtAccuracy() && accuracy >= sft.stopAtAccuracy();
      LOG.info(String.format("sft epoch %d/%d | loss %.4f |%s%s %.0f ms%s", epoch,
          sft.epochs(), trainLoss,
          heldOutLoss == null ? "" : String.format(" held-out loss %.4f |", heldOutLoss),
          accuracy == null ? "" : String.format(" acc %.3f |", accuracy), ms,
          reached ? String.format(" | stopped at step %d: held-out accuracy reached"
              + " sft.stop-at-accuracy = %s", step, sft.stopAtAccuracy()) : ""));
      Map<String, Object> record = new LinkedHashMap<>();
      record.put("phase", "sft");
      record.put("epoch", epoch);
      record.put("step", step);
      record.put("loss", trainLoss);
      record.put("learning_rate", sft.learningRate(epoch));
      record.put("grad_norm", gradNorm);
      record.put("tokens", tokens);
      if (heldOutLoss != null) {
        record.put("eval_loss", heldOutLoss);
      }
      if (accuracy != null) {
        record.put("eval_accuracy", accuracy);
      }
      record.put("epoch_ms", ms);
      if (reached) {
        record.put("stopped", "stop-at-accuracy");
      }
      dir.appendMetrics(record);
    }
    if (sft.stopsAtAccuracy() && !reached) {
      LOG.warn("sft ran all {} epochs without reaching sft.stop-at-accuracy = {}; the policy"
          + " written is the last one", sft.epochs(), sft.stopAtAccuracy());
    }
    broadcasts.close();
    examples.unpersist(false);
    if (heldOut != null) {
      heldOut.unpersist(false);
    }
    dir.writePolicy(policy);
    return policy;
  }

  /**
   * Logs and records an evaluation inside an epoch (after {@code step} steps in all).
   *
   * @return whether it reached {@code sft.stop-at-accuracy}
   */
  private static boolean withinEpoch(double accuracy, int epoch, long step, JobSettings.Sft sft,
      RunDirectory dir) throws IOException {
    boolean reached = sft.stopsAtAccuracy() && accuracy >= sft.stopAtAccuracy();
    LOG.info(String.format("sft step %d (epoch %d) | acc %.3f%s", step, epoch, accuracy,
        reached ? String.format(" | stopping: held-out accuracy reached sft.stop-at-accuracy = %s",
            sft.stopAtAccuracy()) : ""));
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("phase", "sft");
    record.put("epoch", epoch);
    record.put("step", step);
    record.put("eval_accuracy", accuracy);
    dir.appendMetrics(record);
    return reached;
  }

  /** The held-out examples that have a reference completion, or null when there are none. */
  private static JavaRDD<PromptRecord> heldOutExamples(JavaSparkContext sc, JobConfig config,
      Tokenizer tokenizer) {
    var job = config.job();
    if (!job.corpus().hasEval()) {
      return null;
    }
    LoadedCorpus corpus = CorpusSource.resolve(job.corpus().eval(), job.corpus(),
        job.reading().format(), RecordRules.of(config.trainer(), tokenizer, false),
        sc.hadoopConfiguration()).load(sc, job.reading().malformed());
    JavaRDD<PromptRecord> examples = corpus.examples(job.run().partitions(), 0)
        .persist(StorageLevel.MEMORY_AND_DISK());
    long n = examples.count();
    corpus.release();
    if (n == 0) {
      examples.unpersist(false);
      return null;
    }
    return examples;
  }

  private static double heldOutLoss(JavaSparkContext sc, JavaRDD<PromptRecord> heldOut,
      PolicySnapshot policy, TrainerSettings settings, JobSettings job, PolicyBroadcasts broadcasts) {
    SnapshotSource b = broadcasts.broadcast(policy);
    try {
      double nll = 0;
      double tokens = 0;
      for (double[] part : heldOut.mapPartitions(new SftLossTask(b, settings,
          job.run().nativeThreadsPerTask(), job.sft().batchSize())).collect()) {
        nll += part[0];
        tokens += part[1];
      }
      return nll / Math.max(1, tokens);
    } finally {
      PolicyBroadcasts.release(b);
    }
  }
}
