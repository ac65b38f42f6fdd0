package io.sparkrl.job.driver;

import io.sparkrl.job.corpus.CorpusSource;
import io.sparkrl.job.corpus.LoadedCorpus;
import io.sparkrl.job.corpus.RecordRules;
import io.sparkrl.job.executor.EvalTask;
import io.sparkrl.job.executor.SnapshotSource;
import io.sparkrl.policy.PolicySnapshot;
import io.sparkrl.sampling.SamplingDevice;
import io.sparkrl.sampling.SamplingSettings;
import io.sparkrl.step.PromptRecord;
import io.sparkrl.tokenizer.UnknownCharacterMode;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Held-out accuracy of a policy, computed where the held-out prompts live: greedy, and on request
 * pass@1 and pass@G of G sampled completions per prompt.
 */
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

  /**
   * What an evaluation found.
   *
   * @param greedyAccuracy fraction of prompts whose greedy completion has the reference answer
   * @param samples G, the completions sampled per prompt (0: none, and the pass figures are NaN)
   * @param passAt1 fraction of all sampled completions that are right (the unbiased estimate of
   *     pass@1 at the sampling settings)
   * @param passAtSamples fraction of prompts with at least one right completion among their G
   */
  public record Evaluation(long prompts, double greedyAccuracy, int samples, double passAt1,
      double passAtSamples) {}

  /** Fraction of held-out prompts whose greedy completion has the reference answer. */
  public double accuracy(PolicySnapshot policy) {
    return evaluate(policy, null, 0).greedyAccuracy();
  }

  /**
   * Greedy accuracy, and with {@code sampled} (G = its group size) pass@1 and pass@G.
   *
   * @param seed the run's seed: fixes the sampled completions
   */
  public Evaluation evaluate(PolicySnapshot policy, SamplingSettings sampled, long seed) {
    SnapshotSource b = broadcasts.broadcast(policy);
    try {
      List<long[]> counts = heldOut.mapPartitions(new EvalTask(b, maxNewTokens, answerPrefix,
          unknown, nativeThreads, device, sampled, seed)).collect();
      long[] sum = new long[4];
      for (long[] c : counts) {
        for (int i = 0; i < sum.length; i++) {
          sum[i] += c[i];
        }
      }
      long total = sum[1];
      int g = sampled == null ? 0 : sampled.groupSize();
      return new Evaluation(total, total == 0 ? Double.NaN : (double) sum[0] / total, g,
          g == 0 || total == 0 ? Double.NaN : (double) sum[2] / (total * g),
          g == 0 || total == 0 ? Double.NaN : (double) sum[3] / total);
    } finally {
      PolicyBroadcasts.release(b);
    }
  }
}
