package io.sparkrl.job.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The per-step row: the largest broadcast is the parameters', results summed, slowest tasks. */
class StepCostsTest {
  private static TaskTimeline.Task task(long serialize, long resultBytes, long toDriver) {
    return new TaskTimeline.Task(0, 1, 2, 3000, serialize, resultBytes, 0, 3100, toDriver);
  }

  @Test
  void rowTakesTheLargestBroadcastAsTheParametersAndSumsTheResults() {
    StepCosts.Row r = StepCosts.row(2000, 1000, 40, 7.5,
        List.of(task(30, 4_000_000, 90), task(50, 4_100_000, 60)),
        Map.of(11L, 3_900_000L, 12L, 20_000L, 13L, 5_000L), 1.8, 1.0);
    assertEquals(3_900_000, r.parameterBytes());
    assertEquals(25_000, r.otherBroadcastBytes());
    assertEquals(2, r.otherBroadcasts());
    assertEquals(8_100_000, r.resultBytes());
    assertEquals(2, r.tasks());
    assertEquals(50, r.resultSerializeMs());
    assertEquals(90, r.resultToDriverMs());
    assertEquals(0.5, r.ratio());
    assertEquals("| 1 | 2,000 ms | 1,000 ms | 0.50 | 3.9 MB | 40 ms | 25.0 KB (2) | 8.1 MB (2) |"
        + " 50 ms | 90 ms | 7.5 ms | 1.80 / 1.00 |", StepCosts.format("1", r));
  }

  @Test
  void medianRowIsEachColumnsMedian() {
    StepCosts.Row a = StepCosts.row(100, 50, 1, 1, List.of(task(1, 10, 1)), Map.of(1L, 100L), 1, 1);
    StepCosts.Row b = StepCosts.row(300, 90, 3, 3, List.of(task(3, 30, 3)), Map.of(2L, 300L), 1, 1);
    StepCosts.Row c = StepCosts.row(200, 80, 2, 2, List.of(task(2, 20, 2)), Map.of(3L, 200L), 1, 1);
    StepCosts.Row m = StepCosts.median(List.of(a, b, c));
    assertEquals(200, m.localMs());
    assertEquals(80, m.sparkMs());
    assertEquals(0.4, m.ratio());
    assertEquals(200, m.parameterBytes());
    assertEquals(20, m.resultBytes());
    assertEquals(2, m.mergeMs());
  }
}
