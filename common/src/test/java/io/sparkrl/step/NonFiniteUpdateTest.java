package io.sparkrl.step;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.sparkrl.advantage.EmaBaseline;
import io.sparkrl.advantage.RewardStatistics;
import io.sparkrl.gradient.GradientSum;
import io.sparkrl.optim.AdamW;
import io.sparkrl.optim.AdamWState;
import io.sparkrl.policy.ParamsDigest;
import io.sparkrl.policy.PolicySnapshot;
import io.sparkrl.policy.lstm.LstmArchitecture;
import io.sparkrl.policy.lstm.LstmFactory;
import io.sparkrl.settings.SettingsException;
import io.sparkrl.tokenizer.Vocabulary;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;

/** A step with a NaN or infinite gradient or loss is skipped and leaves every state untouched. */
class NonFiniteUpdateTest {
  static final Vocabulary VOCAB = Vocabulary.ofCharacters("0123456789+? ");

  static TrainerSettings settings() {
    return TrainerSettings.from(ConfigFactory.parseString("""
        sparkrl.policy { embedding-size = 4, hidden-size = 6, layers = 1 }
        sparkrl.advantage.estimator = ema
        sparkrl.trainer.max-consecutive-skipped-steps = 2
        """).withFallback(ConfigFactory.defaultReference()));
  }

  /** A shard of 4 sequences whose gradient sum is {@code g} everywhere, entry 3 set to {@code bad}. */
  static ShardResult shard(int n, double g, double bad, double loss) {
    double[] gradient = new double[n];
    java.util.Arrays.fill(gradient, g);
    gradient[3] = bad;
    return new ShardResult(new GradientSum(gradient, 4, 20, loss), null, null,
        RewardStatistics.of(new double[] {1, 0, 1, 1}), 0, 4, 0, 0, 0, 0);
  }

  @ParameterizedTest
  @ValueSource(doubles = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
  void nonFiniteGradientEntrySkipsTheUpdate(double bad) {
    TrainerSettings s = settings();
    PolicySnapshot start = LstmArchitecture.snapshot(
        LstmFactory.create(s.policy(), VOCAB.size(), DataType.FLOAT), VOCAB, 0);
    int n = start.parameters().length;
    PolicyUpdater updater = new PolicyUpdater(s, new AdamW(s.optimizer(), n), EmaBaseline.initial());
    // one good step first, so the moments and the baseline are not trivially zero
    PolicyUpdater.Outcome good = updater.apply(start, shard(n, 0.5, 0.5, -2.0), 4);
    assertFalse(good.metrics().updateSkipped());
    assertNotEquals(ParamsDigest.sha256(start.parameters()), ParamsDigest.sha256(good.snapshot().parameters()));
    AdamWState moments = updater.optimizer().state();
    EmaBaseline ema = updater.ema();
    PolicySnapshot before = good.snapshot();

    PolicyUpdater.Outcome skipped = updater.apply(before, shard(n, 0.5, bad, -2.0), 4);

    assertArrayEquals(before.parameters(), skipped.snapshot().parameters());
    assertEquals(ParamsDigest.sha256(before.parameters()), ParamsDigest.sha256(skipped.snapshot().parameters()));
    assertEquals(moments, updater.optimizer().state(), "AdamW moments and count changed");
    assertEquals(1, updater.optimizer().step());
    assertEquals(ema, updater.ema(), "the EMA baseline advanced");
    assertEquals(2, skipped.snapshot().step(), "the step index advances past a skipped step");
    assertTrue(skipped.metrics().updateSkipped());
    assertEquals(1, skipped.metrics().skippedUpdates());
    assertEquals(1, updater.consecutiveSkips());
    assertTrue(skipped.metrics().nonFinite().startsWith("gradient[3] = " + bad), skipped.metrics().nonFinite());
  }

  @Test
  void nonFiniteLossSkipsAndAGoodStepResetsTheConsecutiveCount() {
    TrainerSettings s = settings();
    PolicySnapshot p = LstmArchitecture.snapshot(
        LstmFactory.create(s.policy(), VOCAB.size(), DataType.FLOAT), VOCAB, 0);
    int n = p.parameters().length;
    PolicyUpdater updater = new PolicyUpdater(s, new AdamW(s.optimizer(), n), EmaBaseline.initial());
    p = updater.apply(p, shard(n, 0.1, 0.1, Double.POSITIVE_INFINITY), 4).snapshot();
    PolicyUpdater.Outcome second = updater.apply(p, shard(n, 0.1, Double.NaN, Double.NaN), 4);
    assertEquals(2, updater.consecutiveSkips());
    assertEquals("loss = NaN, gradient[3] = NaN", second.metrics().nonFinite());
    PolicyUpdater.Outcome third = updater.apply(second.snapshot(), shard(n, 0.1, 0.1, -1.0), 4);
    assertNull(third.metrics().nonFinite());
    assertEquals(0, updater.consecutiveSkips());
    assertEquals(2, updater.skippedUpdates());
    assertEquals(2, third.metrics().skippedUpdates());
    assertEquals(1, updater.optimizer().step(), "only the finite step reached AdamW");
    assertEquals(3, third.snapshot().step());
  }

  @Test
  void theLimitIsReadAndChecked() {
    assertEquals(2, settings().maxConsecutiveSkippedSteps());
    assertEquals(3, TrainerSettings.from(ConfigFactory.defaultReference()).maxConsecutiveSkippedSteps());
    SettingsException e = org.junit.jupiter.api.Assertions.assertThrows(SettingsException.class,
        () -> TrainerSettings.from(ConfigFactory.parseString(
            "sparkrl.trainer.max-consecutive-skipped-steps = 0").withFallback(ConfigFactory.defaultReference())));
    assertTrue(e.getMessage().contains("sparkrl.trainer.max-consecutive-skipped-steps"), e.getMessage());
  }

  @Test
  void mergeKeepsNonFiniteValuesVisible() {
    ShardResult a = shard(8, 1, 1, -1);
    ShardResult b = shard(8, 1, Double.NEGATIVE_INFINITY, -1);
    assertEquals(Double.NEGATIVE_INFINITY, PolicyUpdater.merge(List.of(a, b)).main().gradient()[3]);
  }
}
