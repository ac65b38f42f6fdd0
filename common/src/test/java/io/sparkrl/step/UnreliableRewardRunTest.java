package io.sparkrl.step;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.sparkrl.advantage.EmaBaseline;
import io.sparkrl.optim.AdamW;
import io.sparkrl.policy.PolicySnapshot;
import io.sparkrl.policy.lstm.LstmArchitecture;
import io.sparkrl.policy.lstm.LstmFactory;
import io.sparkrl.reward.UnreliableRewards;
import io.sparkrl.tokenizer.Vocabulary;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A short training run whose user rewards throw on some prompts and never return on others: every
 * step finishes, uses the fallback for exactly those calls, and reports both counts, summed
 * exactly over the shards.
 */
class UnreliableRewardRunTest {
  static final int G = 3;

  @Test
  void aRunWithThrowingAndHangingRewardsFinishesAndCountsEachFallback() {
    TrainerSettings s = TrainerSettings.from(ConfigFactory.parseString("""
        sparkrl.policy { embedding-size = 8, hidden-size = 12, layers = 1 }
        sparkrl.sampling { group-size = %d, max-new-tokens = 6 }
        sparkrl.advantage.estimator = none
        sparkrl.reward {
          functions = [
            { name = "%s", weight = 1.0 },
            { name = "%s", weight = 1.0 } ]
          fallback = -1
          timeout = 200ms
        }""".formatted(G, UnreliableRewards.THROWS_ON_ODD, UnreliableRewards.HANGS_ON_THREE))
        .withFallback(ConfigFactory.defaultReference()));
    Vocabulary vocabulary = Vocabulary.ofCharacters("0123456789+? Howmuchis");
    PolicySnapshot policy = LstmArchitecture.snapshot(
        LstmFactory.create(s.policy(), vocabulary.size(), DataType.FLOAT), vocabulary, 0);
    PolicyUpdater updater = new PolicyUpdater(s, new AdamW(s.optimizer(), policy.parameters().length),
        EmaBaseline.initial());
    RolloutWorker worker = new RolloutWorker(s);
    // references 0..5: odd ones (1, 3, 5) throw; 3 never returns
    List<PromptRecord> prompts = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      prompts.add(new PromptRecord(i, "How much is " + i + "+0?", Integer.toString(i)));
    }
    long t0 = System.nanoTime();
    for (int step = 0; step < 3; step++) {
      StepContext context = updater.context(5, step);
      List<ShardResult> shards = List.of(worker.run(policy, null, context, prompts.subList(0, 4)),
          worker.run(policy, null, context, prompts.subList(4, 6)));
      assertEquals(2L * G, shards.get(0).rewardFailures(), "references 1 and 3, G calls each");
      assertEquals((long) G, shards.get(0).rewardTimeouts(), "reference 3, G calls");
      assertEquals((long) G, shards.get(1).rewardFailures(), "reference 5");
      assertEquals(0, shards.get(1).rewardTimeouts());
      ShardResult merged = PolicyUpdater.merge(shards);
      PolicyUpdater.Outcome outcome = updater.apply(policy, merged, prompts.size());
      StepMetrics m = outcome.metrics();
      assertEquals(3L * G, m.rewardFailures());
      assertEquals((long) G, m.rewardTimeouts());
      // per prompt: thrower 1 (even) or the fallback -1 (odd), hanger 1 or -1 (reference 3):
      // summed over references 0..5, (1-1+1-1+1-1) + (1+1+1-1+1+1) = 4 for each of the G samples
      assertEquals(4.0 * G / (6 * G), m.rewardMean(), 1e-12);
      policy = outcome.snapshot();
    }
    assertEquals(3, policy.step());
    double seconds = (System.nanoTime() - t0) / 1e9;
    // nine abandoned calls of 200 ms (generous: a slow healthy call must not time out), plus the steps
    assertTrue(seconds >= 1.8 && seconds < 30, "took " + seconds + " s");
  }
}
