package io.sparkrl.step;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.sparkrl.advantage.AdvantageSettings;
import io.sparkrl.advantage.EmaBaseline;
import io.sparkrl.optim.AdamW;
import io.sparkrl.policy.PolicySnapshot;
import io.sparkrl.policy.lstm.LstmArchitecture;
import io.sparkrl.policy.lstm.LstmFactory;
import io.sparkrl.settings.SettingsException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * {@code advantage.drop-uniform-groups}: groups whose G rewards are all equal leave the gradient
 * and its count. Under a group estimator their advantages are 0, so without KL/entropy terms the
 * gradient SUM is the one over all groups (only the rows summed over differ), the count shrinks
 * by G per dropped group, and the mean gradient grows by the ratio of the counts. Computed in
 * double (DL4J's backward pass on a double network), so the sums agree to 1e-9.
 */
class DropUniformGroupsTest {
  static TrainerSettings settings(String estimator, double kl, String reward, boolean drop) {
    return TrainerSettings.from(ConfigFactory.parseString("""
        sparkrl.policy { embedding-size = 8, hidden-size = 12, layers = 1 }
        sparkrl.sampling { group-size = 3, max-new-tokens = 8, temperature = 1.5 }
        sparkrl.advantage { estimator = %s, drop-uniform-groups = %s }
        sparkrl.loss { kl.coefficient = %s, kl.estimator = k3, backend = dl4j }
        sparkrl.reward.functions = [ { name = %s, weight = 1.0 } ]
        """.formatted(estimator, drop, kl, reward)).withFallback(ConfigFactory.defaultReference()));
  }

  static PolicySnapshot policy(TrainerSettings s) {
    return LstmArchitecture.snapshot(LstmFactory.create(s.policy(),
        StepSplitInvarianceTest.VOCAB.size(), DataType.DOUBLE), StepSplitInvarianceTest.VOCAB, 0);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"rloo", "grpo", "group-mean"})
  void droppedGroupsLeaveTheCountButNotTheSum(String estimator) {
    String reward = PromptParityReward.class.getName();
    TrainerSettings keep = settings(estimator, 0, reward, false);
    TrainerSettings drop = settings(estimator, 0, reward, true);
    PolicySnapshot policy = policy(keep);
    StepContext context = new StepContext(7, 3, 0);
    List<PromptRecord> prompts = StepSplitInvarianceTest.prompts(); // digits 0..5: three even

    ShardResult all = new RolloutWorker(keep).run(policy, null, context, prompts);
    ShardResult kept = new RolloutWorker(drop).run(policy, null, context, prompts);
    long uniform = all.rollout().zeroStdGroups();
    assertTrue(uniform >= 3 && uniform < 6, "uniform groups: " + uniform);
    assertEquals(0, all.rollout().droppedGroups());
    assertEquals(uniform, kept.rollout().droppedGroups());
    assertEquals(18, all.main().sequences());
    assertEquals(18 - 3 * uniform, kept.main().sequences());
    assertEquals(all.rewards().sum(), kept.rewards().sum(), 0, "rewards are reported for all");
    double relative = StepSplitInvarianceTest.relative(all.main().gradient(), kept.main().gradient());
    assertTrue(StepSplitInvarianceTest.norm(all.main().gradient()) > 1e-6, "nothing to compare");
    assertTrue(relative <= 1e-9, "gradient sums differ by " + relative);
    assertEquals(all.main().lossSum(), kept.main().lossSum(), 1e-9);

    // the driver divides by the kept count: the mean gradient is larger by 18 / kept
    float[] start = policy.parameters();
    var keepOut = new PolicyUpdater(keep, new AdamW(keep.optimizer(), start.length),
        EmaBaseline.initial()).apply(policy, PolicyUpdater.merge(List.of(all)), 6);
    var dropOut = new PolicyUpdater(drop, new AdamW(drop.optimizer(), start.length),
        EmaBaseline.initial()).apply(policy, PolicyUpdater.merge(List.of(kept)), 6);
    assertEquals(keepOut.metrics().gradNorm() * 18 / (18 - 3 * uniform),
        dropOut.metrics().gradNorm(), 1e-9 * dropOut.metrics().gradNorm());
    assertEquals(uniform, dropOut.metrics().rollout().droppedGroups());
  }

  @Test
  void theKlTermsOfDroppedGroupsLeaveToo() {
    String reward = PromptParityReward.class.getName();
    TrainerSettings keep = settings("rloo", 0.5, reward, false);
    TrainerSettings drop = settings("rloo", 0.5, reward, true);
    PolicySnapshot policy = policy(keep);
    PolicySnapshot reference = policy.withParameters(
        StepSplitInvarianceTest.perturbed(policy.parameters()), 0);
    StepContext context = new StepContext(7, 3, 0);
    ShardResult all = new RolloutWorker(keep).run(policy, reference, context,
        StepSplitInvarianceTest.prompts());
    ShardResult kept = new RolloutWorker(drop).run(policy, reference, context,
        StepSplitInvarianceTest.prompts());
    assertTrue(StepSplitInvarianceTest.relative(all.main().gradient(), kept.main().gradient())
        > 1e-3, "the dropped groups' KL terms should be missing from the sum");
    // the KL metric still covers every sampled token
    assertEquals(all.rollout().klSum(), kept.rollout().klSum(), 1e-9);
    assertEquals(all.rollout().tokens(), kept.rollout().tokens());
  }

  @Test
  void aStepWhoseGroupsAreAllUniformMakesNoUpdate() {
    // format with a pattern every text matches: every completion earns the same
    TrainerSettings s = TrainerSettings.from(ConfigFactory.parseString(
        "sparkrl.reward.format.pattern = \"(?s).*\"").withFallback(ConfigFactory.parseString("""
        sparkrl.policy { embedding-size = 8, hidden-size = 12, layers = 1 }
        sparkrl.sampling { group-size = 3, max-new-tokens = 8, temperature = 1.5 }
        sparkrl.advantage { estimator = grpo, drop-uniform-groups = true }
        sparkrl.reward.functions = [ { name = format, weight = 1.0 } ]
        """)).withFallback(ConfigFactory.defaultReference()));
    PolicySnapshot policy = policy(s);
    ShardResult none = new RolloutWorker(s).run(policy, null, new StepContext(7, 3, 0),
        StepSplitInvarianceTest.prompts());
    assertEquals(6, none.rollout().droppedGroups());
    assertEquals(0, none.main().sequences());
    AdamW adamw = new AdamW(s.optimizer(), policy.parameters().length);
    PolicyUpdater updater = new PolicyUpdater(s, adamw, EmaBaseline.initial());
    var out = updater.apply(policy, PolicyUpdater.merge(List.of(none)), 6);
    assertArrayEquals(policy.parameters(), out.snapshot().parameters());
    assertEquals(0, adamw.step(), "AdamW did not step");
    assertEquals(0, updater.consecutiveSkips(), "not a skipped (non-finite) update");
    assertEquals(6, out.metrics().rollout().droppedGroups());
  }

  @Test
  void onlyGroupEstimatorsCanDrop() {
    SettingsException e = assertThrows(SettingsException.class, () -> AdvantageSettings.from(
        ConfigFactory.parseString("sparkrl.advantage { estimator = ema, drop-uniform-groups = true }")
            .withFallback(ConfigFactory.defaultReference())));
    assertTrue(e.getMessage().contains("sparkrl.advantage.drop-uniform-groups"), e.getMessage());
  }
}
