package io.sparkrl.advantage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RewardStatisticsTest {

  /** (rewards, n, sum, sum of squares, mean, Bessel std, population std). */
  static Stream<Arguments> table() {
    return Stream.of(
        Arguments.of(new double[] {}, 0, 0.0, 0.0, 0.0, 0.0, 0.0),
        Arguments.of(new double[] {5}, 1, 5.0, 25.0, 5.0, 0.0, 0.0),
        Arguments.of(new double[] {1, 2, 3, 4}, 4, 10.0, 30.0, 2.5, Math.sqrt(5 / 3.0), Math.sqrt(1.25)),
        Arguments.of(new double[] {1, 0, 0, 1}, 4, 2.0, 2.0, 0.5, Math.sqrt(1 / 3.0), 0.5),
        Arguments.of(new double[] {-1, 1}, 2, 0.0, 2.0, 0.0, Math.sqrt(2.0), 1.0),
        Arguments.of(new double[] {-3, -3}, 2, -6.0, 18.0, -3.0, 0.0, 0.0),
        Arguments.of(new double[] {0.1, 0.1, 0.1}, 3, 0.3, 0.03, 0.1, 0.0, 0.0));
  }

  @ParameterizedTest
  @MethodSource("table")
  void summarises(double[] rewards, long n, double sum, double sumOfSquares, double mean,
      double besselStd, double populationStd) {
    RewardStatistics s = RewardStatistics.of(rewards);
    assertEquals(n, s.count());
    assertEquals(sum, s.sum(), 1e-12);
    assertEquals(sumOfSquares, s.sumOfSquares(), 1e-12);
    assertEquals(mean, s.mean(), 1e-12);
    assertEquals(besselStd, s.besselStd(), 1e-12);
    assertEquals(populationStd, s.populationStd(), 1e-12);
  }

  /** Equal rewards: exactly 0, although sumSq - n·mean² rounds to a tiny non-zero for 0.1. */
  @Test
  void equalRewardsHaveExactlyZeroStd() {
    RewardStatistics s = RewardStatistics.of(new double[] {0.1, 0.1}).plus(RewardStatistics.of(new double[] {0.1}));
    assertEquals(0.0, s.besselStd(), 0.0);
    assertEquals(0.0, s.populationStd(), 0.0);
  }

  @Test
  void mergesExactly() {
    RewardStatistics a = RewardStatistics.of(new double[] {1, 2});
    RewardStatistics b = RewardStatistics.of(new double[] {3, 4, -5});
    assertEquals(RewardStatistics.of(new double[] {1, 2, 3, 4, -5}), a.plus(b));
    assertEquals(a.plus(b), b.plus(a));
    assertEquals(a, RewardStatistics.EMPTY.plus(a));
    assertEquals(a, a.plus(RewardStatistics.EMPTY));
    assertEquals(RewardStatistics.EMPTY, RewardStatistics.of(new double[] {}));
  }

  @Test
  void rejectsNonFiniteRewards() {
    assertThrows(IllegalArgumentException.class, () -> RewardStatistics.of(new double[] {1, Double.NaN}));
    assertThrows(IllegalArgumentException.class,
        () -> RewardStatistics.of(new double[] {Double.POSITIVE_INFINITY}));
  }

  @Test
  void survivesSerialization() throws Exception {
    RewardStatistics s = RewardStatistics.of(new double[] {1, 0, 0.5});
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(s);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      assertEquals(s, in.readObject());
    }
  }
}
