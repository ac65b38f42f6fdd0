package io.sparkrl.advantage;

import static io.sparkrl.advantage.AdvantageEstimator.BATCH_MEAN;
import static io.sparkrl.advantage.AdvantageEstimator.EMA;
import static io.sparkrl.advantage.AdvantageEstimator.GROUP_MEAN;
import static io.sparkrl.advantage.AdvantageEstimator.GRPO;
import static io.sparkrl.advantage.AdvantageEstimator.NONE;
import static io.sparkrl.advantage.AdvantageEstimator.RLOO;
import static io.sparkrl.advantage.AdvantageEstimator.WHITEN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class AdvantageEstimatorTest {
  private static final double TOLERANCE = 1e-12;
  private static final double S3 = Math.sqrt(3.0);
  private static final double S2 = Math.sqrt(2.0);

  @ParameterizedTest
  @CsvSource(textBlock = """
      none,       NONE
      ema,        EMA
      batch-mean, BATCH_MEAN
      group-mean, GROUP_MEAN
      rloo,       RLOO
      grpo,       GRPO
      whiten,     WHITEN
      ' GRPO ',   GRPO
      """)
  void parsesConfigNames(String name, AdvantageEstimator expected) {
    assertEquals(expected, AdvantageEstimator.parse(name));
  }

  @ParameterizedTest
  @EnumSource(AdvantageEstimator.class)
  void configNameRoundTrips(AdvantageEstimator estimator) {
    assertEquals(estimator, AdvantageEstimator.parse(estimator.configName()));
  }

  @Test
  void anUnknownNameListsTheValidOnes() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> AdvantageEstimator.parse("batch_mean"));
    assertTrue(e.getMessage().contains("batch-mean") && e.getMessage().contains("whiten"), e.getMessage());
  }

  @ParameterizedTest
  @CsvSource(textBlock = """
      NONE,       false, false, 1
      EMA,        false, false, 1
      BATCH_MEAN, true,  false, 1
      GROUP_MEAN, false, true,  1
      RLOO,       false, true,  2
      GRPO,       false, true,  2
      WHITEN,     true,  false, 1
      """)
  void kinds(AdvantageEstimator e, boolean batchStatistics, boolean groupwise, int minGroupSize) {
    assertEquals(batchStatistics, e.needsBatchStatistics());
    assertEquals(groupwise, e.isGroupwise());
    assertEquals(minGroupSize, e.minGroupSize());
  }

  /** (estimator, rewards prompt-major, G, epsilon, expected advantages), computed by hand. */
  static Stream<Arguments> groups() {
    double[] one = {1, 0, 0, 1};
    // Four groups of 3: means 1/3, 3, 1, 0; Bessel stds 1/sqrt(3), 0, 1, 1.
    double[] four = {1, 0, 0, 3, 3, 3, 0, 1, 2, -1, 1, 0};
    double g1 = 1 / S3 + 0.5;
    return Stream.of(
        Arguments.of(GROUP_MEAN, one, 4, 0.0, new double[] {0.5, -0.5, -0.5, 0.5}),
        Arguments.of(RLOO, one, 4, 0.0, new double[] {2 / 3.0, -2 / 3.0, -2 / 3.0, 2 / 3.0}),
        // mean 0.5, Bessel std sqrt((4 * 0.25) / 3) = 1/sqrt(3): 0.5 * sqrt(3).
        Arguments.of(GRPO, one, 4, 0.0, new double[] {S3 / 2, -S3 / 2, -S3 / 2, S3 / 2}),
        Arguments.of(GRPO, one, 4, 1e-4, new double[] {
            0.5 / (1 / S3 + 1e-4), -0.5 / (1 / S3 + 1e-4), -0.5 / (1 / S3 + 1e-4), 0.5 / (1 / S3 + 1e-4)}),
        Arguments.of(GROUP_MEAN, four, 3, 0.0,
            new double[] {2 / 3.0, -1 / 3.0, -1 / 3.0, 0, 0, 0, -1, 0, 1, -1, 1, 0}),
        // Leave-one-out: r - (sum - r) / 2, i.e. 3/2 of the group-mean advantage.
        Arguments.of(RLOO, four, 3, 0.0,
            new double[] {1, -0.5, -0.5, 0, 0, 0, -1.5, 0, 1.5, -1.5, 1.5, 0}),
        Arguments.of(GRPO, four, 3, 0.0,
            new double[] {2 / S3, -1 / S3, -1 / S3, 0, 0, 0, -1, 0, 1, -1, 1, 0}),
        Arguments.of(GRPO, four, 3, 0.5, new double[] {
            (2 / 3.0) / g1, (-1 / 3.0) / g1, (-1 / 3.0) / g1, 0, 0, 0, -1 / 1.5, 0, 1 / 1.5, -1 / 1.5, 1 / 1.5, 0}),
        // G = 1: each completion is its own group mean.
        Arguments.of(GROUP_MEAN, new double[] {3, 5, -2}, 1, 0.0, new double[] {0, 0, 0}),
        Arguments.of(RLOO, new double[] {1, 0, 0.5, 0.5, 2, -2}, 2, 0.0, new double[] {1, -1, 0, 0, 4, -4}),
        // G = 2: deviations +-d, Bessel std d*sqrt(2), so +-1/sqrt(2) whatever d.
        Arguments.of(GRPO, new double[] {1, 0, 2, -2}, 2, 0.0, new double[] {1 / S2, -1 / S2, 1 / S2, -1 / S2}),
        Arguments.of(GROUP_MEAN, new double[] {}, 4, 0.0, new double[] {}));
  }

  @ParameterizedTest(name = "[{index}] {0} G={2} eps={3}")
  @MethodSource("groups")
  void groupAdvantages(AdvantageEstimator e, double[] rewards, int g, double epsilon, double[] expected) {
    assertArrayEquals(expected, e.groupAdvantages(rewards, g, epsilon), TOLERANCE);
    assertArrayEquals(expected, e.advantages(rewards, g, 123.0, epsilon), TOLERANCE);
  }

  /** A group of equal rewards gets exactly 0, not rounding noise (0.1 * 3 / 3 != 0.1) or 0/0. */
  @ParameterizedTest
  @EnumSource(value = AdvantageEstimator.class, names = {"GROUP_MEAN", "RLOO", "GRPO"})
  void equalRewardsGiveExactlyZero(AdvantageEstimator e) {
    double[] rewards = {0.1, 0.1, 0.1, 1, 0, 1};
    double[] a = e.groupAdvantages(rewards, 3, 0.0);
    assertArrayEquals(new double[] {0, 0, 0}, java.util.Arrays.copyOf(a, 3), 0.0);
    assertTrue(a[3] > 0 && a[4] < 0 && a[5] > 0);
  }

  /**
   * (estimator, rewards, EMA baseline, epsilon, expected scale, expected offset, expected
   * advantages).
   */
  static Stream<Arguments> linear() {
    double[] one = {1, 0, 0, 1};
    double[] four = {1, 2, 3, 4};
    double s06 = Math.sqrt(0.6); // 1 / Bessel std of {1,2,3,4}: var = 5/3
    double w = 1 / (Math.sqrt(5 / 3.0) + 0.1);
    return Stream.of(
        Arguments.of(NONE, one, 0.7, 0.0, 1.0, 0.0, new double[] {1, 0, 0, 1}),
        Arguments.of(EMA, one, 0.25, 0.0, 1.0, -0.25, new double[] {0.75, -0.25, -0.25, 0.75}),
        Arguments.of(EMA, one, 0.0, 0.0, 1.0, 0.0, new double[] {1, 0, 0, 1}),
        Arguments.of(EMA, four, -1.0, 0.0, 1.0, 1.0, new double[] {2, 3, 4, 5}),
        Arguments.of(BATCH_MEAN, one, 0.7, 0.0, 1.0, -0.5, new double[] {0.5, -0.5, -0.5, 0.5}),
        Arguments.of(BATCH_MEAN, four, 0.7, 0.0, 1.0, -2.5, new double[] {-1.5, -0.5, 0.5, 1.5}),
        Arguments.of(WHITEN, one, 0.7, 0.0, S3, -S3 / 2, new double[] {S3 / 2, -S3 / 2, -S3 / 2, S3 / 2}),
        Arguments.of(WHITEN, four, 0.7, 0.0, s06, -2.5 * s06,
            new double[] {-1.5 * s06, -0.5 * s06, 0.5 * s06, 1.5 * s06}),
        Arguments.of(WHITEN, four, 0.7, 0.1, w, -2.5 * w, new double[] {-1.5 * w, -0.5 * w, 0.5 * w, 1.5 * w}),
        // n = 1: std 0, so A = (r - r) / epsilon.
        Arguments.of(WHITEN, new double[] {7}, 0.7, 0.1, 10.0, -70.0, new double[] {0}),
        // Equal rewards and epsilon 0: every advantage is 0, not 0/0.
        Arguments.of(WHITEN, new double[] {2, 2, 2}, 0.7, 0.0, 0.0, 0.0, new double[] {0, 0, 0}));
  }

  @ParameterizedTest(name = "[{index}] {0} b={2} eps={3}")
  @MethodSource("linear")
  void linearAdvantages(AdvantageEstimator e, double[] rewards, double ema, double epsilon,
      double scale, double offset, double[] expected) {
    LinearAdvantage a = e.linear(RewardStatistics.of(rewards), ema, epsilon);
    assertEquals(scale, a.scale(), TOLERANCE);
    assertEquals(offset, a.offset(), TOLERANCE);
    assertArrayEquals(expected, e.advantages(rewards, 1, ema, epsilon), TOLERANCE);
    assertArrayEquals(expected, e.advantages(rewards, rewards.length, ema, epsilon), TOLERANCE);
  }

  /** (estimator, number of rewards, G): not whole groups, or G below the estimator's minimum. */
  @ParameterizedTest
  @CsvSource(textBlock = """
      GROUP_MEAN, 5, 2
      GROUP_MEAN, 4, 0
      RLOO,       4, 1
      GRPO,       4, 1
      RLOO,       6, 4
      NONE,       4, 0
      WHITEN,     5, 2
      BATCH_MEAN, 3, -1
      """)
  void badGroupSizes(AdvantageEstimator e, int n, int g) {
    assertThrows(IllegalArgumentException.class, () -> e.advantages(new double[n], g, 0.0, 1e-4));
    if (e.isGroupwise()) {
      assertThrows(IllegalArgumentException.class, () -> e.groupAdvantages(new double[n], g, 1e-4));
    }
  }

  @ParameterizedTest
  @EnumSource(value = AdvantageEstimator.class, names = {"NONE", "EMA", "BATCH_MEAN", "WHITEN"})
  void onlyGroupwiseEstimatorsComputeGroups(AdvantageEstimator e) {
    assertThrows(IllegalStateException.class, () -> e.groupAdvantages(new double[] {1, 0}, 2, 1e-4));
  }

  @ParameterizedTest
  @EnumSource(value = AdvantageEstimator.class, names = {"GROUP_MEAN", "RLOO", "GRPO"})
  void groupwiseEstimatorsAreNotLinear(AdvantageEstimator e) {
    assertThrows(IllegalStateException.class, () -> e.linear(RewardStatistics.EMPTY, 0.0, 1e-4));
  }

  @ParameterizedTest
  @CsvSource({"GRPO, -1e-4", "WHITEN, -1e-4", "GRPO, NaN", "WHITEN, Infinity"})
  void epsilonMustBeNonNegative(AdvantageEstimator e, double epsilon) {
    assertThrows(IllegalArgumentException.class, () -> e.advantages(new double[] {1, 0}, 2, 0.0, epsilon));
  }
}
