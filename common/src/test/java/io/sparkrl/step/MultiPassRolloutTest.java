package io.sparkrl.step;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.sparkrl.advantage.EmaBaseline;
import io.sparkrl.gradient.GradientSum;
import io.sparkrl.optim.AdamW;
import io.sparkrl.policy.PolicySnapshot;
import io.sparkrl.policy.lstm.LstmArchitecture;
import io.sparkrl.policy.lstm.LstmFactory;
import io.sparkrl.sampling.SamplingSettings;
import io.sparkrl.settings.SettingsException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * {@code sampling.max-batch-sequences}: a task's prompts in several sampling + gradient passes
 * give the one-pass result up to float summation, for every estimator; group estimators would
 * differ if a pass split a prompt's G completions, so they show the groups stay whole.
 */
class MultiPassRolloutTest {
  static TrainerSettings settings(String estimator, double kl, int maxBatch) {
    TrainerSettings s = StepSplitInvarianceTest.settings(estimator, kl, 0.05);
    return new TrainerSettings(s.tokenizer(), s.policy(), withMaxBatch(s.sampling(), maxBatch),
        s.reward(), s.advantage(), s.loss(), s.optimizer(), s.maxConsecutiveSkippedSteps());
  }

  static SamplingSettings withMaxBatch(SamplingSettings s, int maxBatch) {
    return new SamplingSettings(s.groupSize(), s.temperature(), s.topK(), s.topP(),
        s.maxNewTokens(), maxBatch);
  }

  // G = 3 and 6 prompts: 3 -> six passes of one prompt, 7 -> three passes of two, 13 -> 4 + 2
  @ParameterizedTest(name = "{0}, kl={1}, max-batch-sequences={2}, {3}")
  @CsvSource({
      "none, 0, 3, DOUBLE", "rloo, 0, 7, DOUBLE", "grpo, 0, 13, DOUBLE", "group-mean, 0, 3, DOUBLE",
      "batch-mean, 0.2, 7, DOUBLE", "whiten, 0.2, 3, DOUBLE", "ema, 0, 13, DOUBLE",
      "rloo, 0.2, 3, FLOAT", "whiten, 0, 7, FLOAT"})
  void passesAddUpToOnePass(String estimator, double kl, int maxBatch, DataType type) {
    TrainerSettings one = settings(estimator, kl, 0);
    TrainerSettings passes = settings(estimator, kl, maxBatch);
    PolicySnapshot policy = LstmArchitecture.snapshot(LstmFactory.create(one.policy(),
        StepSplitInvarianceTest.VOCAB.size(), type), StepSplitInvarianceTest.VOCAB, 0);
    PolicySnapshot reference = policy.withParameters(
        StepSplitInvarianceTest.perturbed(policy.parameters()), 0);
    StepContext context = new StepContext(99, 4, 0.25).withSamplePrompts(2);
    List<PromptRecord> prompts = StepSplitInvarianceTest.prompts();

    ShardResult whole = new RolloutWorker(one).run(policy, reference, context, prompts);
    ShardResult split = new RolloutWorker(passes).run(policy, reference, context, prompts);

    PolicyUpdater updater = new PolicyUpdater(one,
        new AdamW(one.optimizer(), policy.parameters().length), new EmaBaseline(0.25, true));
    GradientSum a = updater.totalGradient(whole);
    GradientSum b = updater.totalGradient(split);
    assertEquals(18, a.sequences());
    assertEquals(a.sequences(), b.sequences());
    assertEquals(a.tokens(), b.tokens());
    assertEquals(whole.rewards().sum(), split.rewards().sum(), 1e-12);
    assertTrue(whole.rewards().besselStd() > 0, "rewards must vary for the test to mean anything");
    assertTrue(StepSplitInvarianceTest.norm(a.gradient()) > 1e-6, "gradient is zero: nothing tested");
    double relative = StepSplitInvarianceTest.relative(a.gradient(), b.gradient());
    assertTrue(relative <= 1e-6, "relative difference " + relative);
    assertEquals(a.lossSum(), b.lossSum(), 1e-6 * Math.max(1, Math.abs(a.lossSum())));
    assertEquals(whole.rollout().zeroStdGroups(), split.rollout().zeroStdGroups());
    // each pass logs its own lowest groups (the driver keeps the step's first k): more than one
    // pass's worth shows the task really ran several passes
    assertTrue(split.samples().size() > whole.samples().size(), "one pass only: nothing tested");
    assertEquals(List.of(10L, 11L),
        split.samples().stream().limit(2).map(CompletionSample::promptId).toList());
    assertEquals(whole.samples().get(1).completions(), split.samples().get(1).completions());
  }

  @Test
  void passesHoldWholeGroups() {
    SamplingSettings s = new SamplingSettings(4, 1.0, 0, 1.0, 8, 10);
    assertEquals(2, s.promptsPerPass(9), "10 sequences hold two groups of 4");
    assertEquals(9, new SamplingSettings(4, 1.0, 0, 1.0, 8, 0).promptsPerPass(9));
    assertEquals(1, new SamplingSettings(4, 1.0, 0, 1.0, 8, 4).promptsPerPass(9));
  }

  @Test
  void aPassSmallerThanAGroupIsRejectedNamingTheKey() {
    SettingsException e = assertThrows(SettingsException.class, () -> SamplingSettings.from(
        ConfigFactory.parseString("sparkrl.sampling { group-size = 8, max-batch-sequences = 5 }")
            .withFallback(ConfigFactory.defaultReference())));
    assertTrue(e.getMessage().contains("sparkrl.sampling.max-batch-sequences"), e.getMessage());
    assertTrue(e.getMessage().contains("group-size (8)"), e.getMessage());
  }
}
