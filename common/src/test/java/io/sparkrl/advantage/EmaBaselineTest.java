package io.sparkrl.advantage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class EmaBaselineTest {

  /** (decay, batch means in order, expected baseline, expected initialized). */
  static Stream<Arguments> table() {
    return Stream.of(
        Arguments.of(0.9, new double[] {}, 0.0, false),
        Arguments.of(0.9, new double[] {0.5}, 0.5, true),
        Arguments.of(0.9, new double[] {-1.0}, -1.0, true),
        Arguments.of(0.9, new double[] {0.5, 1.0}, 0.55, true),
        Arguments.of(0.9, new double[] {0.5, 1.0, 0.0}, 0.495, true),
        Arguments.of(0.0, new double[] {0.5, 1.0}, 1.0, true),
        Arguments.of(0.5, new double[] {2.0, 0.0, 4.0}, 2.5, true));
  }

  @ParameterizedTest
  @MethodSource("table")
  void movesTowardBatchMeans(double decay, double[] means, double expected, boolean initialized) {
    EmaBaseline b = EmaBaseline.initial();
    for (double mean : means) {
      b = b.update(mean, decay);
    }
    assertEquals(expected, b.baseline(), 1e-12);
    assertEquals(initialized, b.initialized());
  }

  /** The ema estimator subtracts the baseline of past batches: nothing before the first update. */
  @Test
  void emaAdvantagesBeforeAndAfterAnUpdate() {
    double[] rewards = {1, 0, 0, 1};
    EmaBaseline b = EmaBaseline.initial();
    assertArrayEquals(new double[] {1, 0, 0, 1},
        AdvantageEstimator.EMA.advantages(rewards, 4, b.baseline(), 1e-4), 0.0);
    b = b.update(RewardStatistics.of(rewards).mean(), 0.9);
    assertArrayEquals(new double[] {0.5, -0.5, -0.5, 0.5},
        AdvantageEstimator.EMA.advantages(rewards, 4, b.baseline(), 1e-4), 0.0);
    b = b.update(1.0, 0.9);
    assertArrayEquals(new double[] {0.45, -0.55, -0.55, 0.45},
        AdvantageEstimator.EMA.advantages(rewards, 4, b.baseline(), 1e-4), 1e-12);
  }

  @ParameterizedTest
  @CsvSource({"0.5, 1.0", "0.5, -0.1", "0.5, NaN", "NaN, 0.9", "Infinity, 0.9"})
  void rejectsBadUpdates(double batchMean, double decay) {
    assertThrows(IllegalArgumentException.class, () -> EmaBaseline.initial().update(batchMean, decay));
  }
}
