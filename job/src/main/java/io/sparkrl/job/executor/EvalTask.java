package io.sparkrl.job.executor;

import io.sparkrl.policy.PolicyCache;
import io.sparkrl.policy.PolicySnapshot;
import io.sparkrl.reward.AnswerMatchReward;
import io.sparkrl.sampling.Completion;
import io.sparkrl.sampling.Prompt;
import io.sparkrl.sampling.Sampler;
import io.sparkrl.sampling.SamplingDevice;
import io.sparkrl.sampling.SamplingSettings;
import io.sparkrl.step.PromptRecord;
import io.sparkrl.tokenizer.Tokenizer;
import io.sparkrl.tokenizer.UnknownCharacterMode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;


/**
 * Evaluation of a partition of held-out prompts: one batched greedy pass, then the answer-match
 * check; with {@code sampled} settings also G sampled completions per prompt (their random streams
 * from the run's seed and step -1, so a rerun draws the same ones). Returns one array of counts,
 * {greedy correct, prompts, sampled correct, prompts with at least one sampled correct}, so the
 * driver adds counts, never rates.
 */
public final class EvalTask implements FlatMapFunction<Iterator<PromptRecord>, long[]> {
  private final SnapshotSource policy;
  private final int maxNewTokens;
  private final String answerPrefix;
  private final UnknownCharacterMode unknown;
  private final int nativeThreads;
  private final SamplingDevice device;
  private final SamplingSettings sampled;
  private final long seed;

  /** The step number of the sampled completions' random streams (training steps are >= 0). */
  public static final long EVAL_STEP = -1;

  public EvalTask(SnapshotSource policy, int maxNewTokens, String answerPrefix,
      UnknownCharacterMode unknown, int nativeThreads, SamplingDevice device) {
    this(policy, maxNewTokens, answerPrefix, unknown, nativeThreads, device, null, 0);
  }

  /** @param sampled G completions per prompt at these settings too; null = greedy only */
  public EvalTask(SnapshotSource policy, int maxNewTokens, String answerPrefix,
      UnknownCharacterMode unknown, int nativeThreads, SamplingDevice device,
      SamplingSettings sampled, long seed) {
    this.sampled = sampled;
    this.seed = seed;
    this.policy = policy;
    this.maxNewTokens = maxNewTokens;
    this.answerPrefix = answerPrefix;
    this.unknown = unknown;
    this.nativeThreads = nativeThreads;
    this.device = device;
  }

  @Override
  public Iterator<long[]> call(Iterator<PromptRecord> partition) {
    NativeThreads.limit(nativeThreads);
    TaskDevice.bind(device);
    PolicySnapshot snapshot = policy.value();
    Tokenizer vocabulary = snapshot.tokenizer();
    List<PromptRecord> records = new ArrayList<>();
    List<Prompt> prompts = new ArrayList<>();
    while (partition.hasNext()) {
      PromptRecord r = partition.next();
      records.add(r);
      prompts.add(new Prompt(r.id(), vocabulary.encodePrompt(r.prompt(), unknown)));
    }
    if (prompts.isEmpty()) {
      return List.of(new long[] {0, 0, 0, 0}).iterator();
    }
    var model = PolicyCache.model("policy", snapshot);
    Sampler greedy = new Sampler(model.stepper(device, maxNewTokens),
        SamplingSettings.greedy(maxNewTokens), vocabulary.eosToken());
    AnswerMatchReward match = new AnswerMatchReward(answerPrefix);
    List<Completion> completions = greedy.sample(prompts, 0, 0);
    long correct = 0;
    for (int i = 0; i < completions.size(); i++) {
      correct += correct(match, vocabulary, records.get(i), completions.get(i)) ? 1 : 0;
    }
    long sampledCorrect = 0;
    long anyCorrect = 0;
    if (sampled != null) {
      int g = sampled.groupSize();
      List<Completion> drawn = new Sampler(model.stepper(device, maxNewTokens), sampled,
          vocabulary.eosToken()).sample(prompts, seed, EVAL_STEP);
      for (int p = 0; p < prompts.size(); p++) {
        int right = 0;
        for (int j = 0; j < g; j++) {
          right += correct(match, vocabulary, records.get(p), drawn.get(p * g + j)) ? 1 : 0;
        }
        sampledCorrect += right;
        anyCorrect += right > 0 ? 1 : 0;
      }
    }
    return List.of(new long[] {correct, completions.size(), sampledCorrect, anyCorrect}).iterator();
  }

  private static boolean correct(AnswerMatchReward match, Tokenizer vocabulary, PromptRecord record,
      Completion c) {
    String text = vocabulary.decode(c.tokens(), 0, c.textLength());
    try {
      return match.score(record.prompt(), text, record.reference()) > 0;
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("held-out prompt " + record.id() + ": "
          + e.getMessage(), e);
    }
  }
}
