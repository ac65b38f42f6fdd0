package io.sparkrl.job.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The reward chart's smoothed line: a trailing moving average, never looking ahead. */
class SeriesTest {
  @Test
  void movingAverageIsTheMeanOfTheLastPointsUpToEach() {
    Series s = new Series("r", new double[] {1, 2, 3, 4, 5}, new double[] {0, 1, 0, 1, 4});
    Series m = s.movingAverage(2, "smoothed");
    assertEquals("smoothed", m.label());
    assertArrayEquals(s.x(), m.x());
    assertArrayEquals(new double[] {0, 0.5, 0.5, 0.5, 2.5}, m.y(), 1e-12);
    assertArrayEquals(s.y(), s.movingAverage(1, "same").y(), 0);
    assertThrows(IllegalArgumentException.class, () -> s.movingAverage(0, "none"));
  }

  @Test
  void theWindowGrowsWithTheRunWithinBounds() {
    assertEquals(2, new Series("r", new double[10], new double[10]).smoothingWindow());
    assertEquals(10, new Series("r", new double[200], new double[200]).smoothingWindow());
    assertEquals(50, new Series("r", new double[5000], new double[5000]).smoothingWindow());
  }
}
