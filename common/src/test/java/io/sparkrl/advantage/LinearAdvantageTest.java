package io.sparkrl.advantage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class LinearAdvantageTest {

  @ParameterizedTest
  @CsvSource(textBlock = """
       1.0,  0.0,  0.5,  0.5
       1.0, -0.25, 1.0,  0.75
       2.0,  1.0, -1.0, -1.0
       0.0,  0.0,  9.0,  0.0
       0.5, -0.5,  1.0,  0.0
      """)
  void appliesScaleThenOffset(double scale, double offset, double reward, double expected) {
    assertEquals(expected, new LinearAdvantage(scale, offset).apply(reward), 0.0);
  }

  @ParameterizedTest
  @CsvSource({"NaN, 0", "0, NaN", "Infinity, 0", "1, -Infinity"})
  void rejectsNonFiniteCoefficients(double scale, double offset) {
    assertThrows(IllegalArgumentException.class, () -> new LinearAdvantage(scale, offset));
  }

  /** (estimator, seed, chunks): every linear estimator, random batches cut into 1, 2 and 3 partitions. */
  static Stream<Arguments> partitions() {
    return Stream.of(AdvantageEstimator.values())
        .filter(e -> !e.isGroupwise())
        .flatMap(e -> IntStream.rangeClosed(1, 5).boxed()
            .flatMap(seed -> IntStream.rangeClosed(1, 3).mapToObj(chunks -> Arguments.of(e, seed, chunks))));
  }

  /**
   * What the distributed step relies on: statistics merged from partitions give the whole batch's
   * linear advantage, and {@code Σ A_i·x_i = scale·Σ r_i·x_i + offset·Σ x_i} when each partition
   * returns only its {@code Σ r_i·x_i} and {@code Σ x_i} (x standing for one gradient coordinate).
   */
  @ParameterizedTest(name = "[{index}] {0} seed={1} chunks={2}")
  @MethodSource("partitions")
  void partitionSumsCombineExactly(AdvantageEstimator e, int seed, int chunks) {
    Random random = new Random(seed);
    int n = 8 + random.nextInt(40);
    double[] rewards = random.doubles(n, -2, 3).toArray();
    double[] x = random.doubles(n, -1, 1).toArray();
    double ema = random.nextGaussian();
    double epsilon = 1e-4;

    RewardStatistics merged = RewardStatistics.EMPTY;
    double sumRx = 0.0;
    double sumX = 0.0;
    for (int[] range : cut(n, chunks, random)) {
      double[] part = Arrays.copyOfRange(rewards, range[0], range[1]);
      merged = merged.plus(RewardStatistics.of(part));
      for (int i = range[0]; i < range[1]; i++) {
        sumRx += rewards[i] * x[i];
        sumX += x[i];
      }
    }
    LinearAdvantage whole = e.linear(RewardStatistics.of(rewards), ema, epsilon);
    LinearAdvantage distributed = e.linear(merged, ema, epsilon);
    assertEquals(whole.scale(), distributed.scale(), 1e-12);
    assertEquals(whole.offset(), distributed.offset(), 1e-12);

    double[] advantages = e.advantages(rewards, 1, ema, epsilon);
    double sumAx = 0.0;
    for (int i = 0; i < n; i++) {
      sumAx += advantages[i] * x[i];
    }
    assertEquals(sumAx, distributed.scale() * sumRx + distributed.offset() * sumX, 1e-12);
  }

  /** Splits [0, n) into the given number of non-empty consecutive ranges at random cut points. */
  private static List<int[]> cut(int n, int chunks, Random random) {
    int[] points = IntStream.concat(
            IntStream.of(0, n),
            random.ints(1, n).distinct().limit(chunks - 1))
        .sorted()
        .toArray();
    List<int[]> ranges = new ArrayList<>();
    for (int k = 0; k + 1 < points.length; k++) {
      ranges.add(new int[] {points[k], points[k + 1]});
    }
    assertEquals(chunks, ranges.size());
    return ranges;
  }
}
