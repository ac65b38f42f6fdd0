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
 * Greedy evaluation of a partition of held-out prompts: one batched greedy pass, then the
 * answer-match check. Returns {correct, total} so the driver adds counts, never rates.
 */
public final class EvalTask implements FlatMapFunction<Iterator<PromptRecord>, long[]> {
  private final SnapshotSource policy;
  private final int maxNewTokens;
  private final String answerPrefix;
  private final UnknownCharacterMode unknown;
  private final int nativeThreads;
  private final SamplingDevice device;

  public EvalTask(SnapshotSource policy, int maxNewTokens, String answerPrefix,
      UnknownCharacterMode unknown, int nativeThreads, SamplingDevice device) {
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
      return List.of(new long[] {0, 0}).iterator();
    }
    Sampler greedy = new Sampler(PolicyCache.model("policy", snapshot).stepper(device, maxNewTokens),
        SamplingSettings.greedy(maxNewTokens), vocabulary.eosToken());
    List<Completion> completions = greedy.sample(prompts, 0, 0);
    AnswerMatchReward match = new AnswerMatchReward(answerPrefix);
    long correct = 0;
    for (int i = 0; i < completions.size(); i++) {
      Completion c = completions.get(i);
      String text = vocabulary.decode(c.tokens(), 0, c.textLength());
      try {
        correct += match.score(records.get(i).prompt(), text, records.get(i).reference()) > 0 ? 1 : 0;
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("held-out prompt " + records.get(i).id() + ": "
            + e.getMessage(), e);
      }
    }
    return List.of(new long[] {correct, completions.size()}).iterator();
  }
}
