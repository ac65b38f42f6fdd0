package io.sparkrl.job.driver;

import io.sparkrl.job.corpus.CorpusSource;
import io.sparkrl.job.corpus.LoadedCorpus;
import io.sparkrl.job.corpus.RecordRules;
import io.sparkrl.job.executor.EvalTask;
import io.sparkrl.job.executor.SnapshotSource;
import io.sparkrl.policy.PolicySnapshot;
import io.sparkrl.sampling.SamplingDevice;
import io.sparkrl.step.PromptRecord;
import io.sparkrl.tokenizer.UnknownCharacterMode;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/** Greedy held-out accuracy of a policy, computed where the held-out prompts live. */
public final class Evaluator {
  private final JavaSparkContext sc;
  private final JavaRDD<PromptRecord> heldOut;
  private final int maxNewTokens;
  private final String answerPrefix;
  private final UnknownCharacterMode unknown;
  private final int nativeThreads;
  private final SamplingDevice device;
  /** The evaluated policies' frame once (a run's policies share it), their parameters each time. */
  private final PolicyBroadcasts broadcasts;

  public Evaluator(JavaSparkContext sc, JavaRDD<PromptRecord> heldOut, int maxNewTokens,
      String answerPrefix, UnknownCharacterMode unknown, int nativeThreads, SamplingDevice device) {
    this.sc = sc;
    this.heldOut = heldOut;
    this.maxNewTokens = maxNewTokens;
    this.answerPrefix = answerPrefix;
    this.unknown = unknown;
    this.nativeThreads = nativeThreads;
    this.device = device;
    this.broadcasts = new PolicyBroadcasts(sc);
  }

  /**
   * The evaluator of {@code corpus.eval} (cached, partitioned like the training corpus), or null
   * when no held-out corpus is configured. Its prompts are checked against the policy's vocabulary
   * like the training corpus's ({@code sparkrl.corpus.malformed}).
   */
  public static Evaluator heldOut(JavaSparkContext sc, io.sparkrl.job.config.JobConfig config,
      io.sparkrl.tokenizer.Tokenizer vocabulary) {
    var job = config.job();
    if (!job.corpus().hasEval()) {
      return null;
    }
    LoadedCorpus corpus = CorpusSource.resolve(job.corpus().eval(), job.corpus(),
        job.reading().format(), RecordRules.of(config.trainer(), vocabulary, false),
        sc.hadoopConfiguration()).load(sc, job.reading().malformed());
    JavaRDD<PromptRecord> prompts = corpus.prompts(job.run().partitions())
        .persist(org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK());
    prompts.count(); // cached before the parsed records are dropped
    corpus.release();
    return new Evaluator(sc, prompts, job.eval().maxNewTokens(),
        config.trainer().reward().answerPrefix(), config.trainer().tokenizer().unknown(),
        job.run().nativeThreadsPerTask(), config.trainer().sampling().device());
  }

  /** Fraction of held-out prompts whose greedy completion has the reference answer. */
  public double accuracy(PolicySnapshot policy) {
    SnapshotSource b = broadcasts.broadcast(policy);
    try {
      List<long[]> counts = heldOut.mapPartitions(
          new EvalTask(b, maxNewTokens, answerPrefix, unknown, nativeThreads, device)).collect();
      long correct = 0;
      long total = 0;
      for (long[] c : counts) {
        correct += c[0];
        total += c[1];
      }
      return total == 0 ? Double.NaN : (double) correct / total;
    } finally {
      PolicyBroadcasts.release(b);
    }
  }
}
