package io.sparkrl.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LearningRateScheduleTest {
  private static final double TOLERANCE = 1e-12;

  /**
   * Peak 2, warmup 10, decay 100, min-ratio 0.1, worked by hand:
   * warmup 2·(s+1)/10; after it progress p = (s − 10)/100;
   * linear 2·(1 − 0.9p); cosine 2·(0.1 + 0.45·(1 + cos πp)), cos(π/4) = 0.70710678118654752.
   */
  @ParameterizedTest(name = "step {0}")
  @CsvSource(textBlock = """
      # step,  constant, linear, cosine
      0,      0.2,  0.2,  0.2
      4,      1.0,  1.0,  1.0
      9,      2.0,  2.0,  2.0
      10,     2.0,  2.0,  2.0
      35,     2.0,  1.55, 1.7363961030678928
      60,     2.0,  1.1,  1.1
      85,     2.0,  0.65, 0.46360389693210714
      110,    2.0,  0.2,  0.2
      111,    2.0,  0.2,  0.2
      100000, 2.0,  0.2,  0.2
      """)
  void table(long step, double constant, double linear, double cosine) {
    assertEquals(constant, schedule(ScheduleType.CONSTANT, 10).at(step), TOLERANCE);
    assertEquals(linear, schedule(ScheduleType.LINEAR, 10).at(step), TOLERANCE);
    assertEquals(cosine, schedule(ScheduleType.COSINE, 10).at(step), TOLERANCE);
  }

  @Test
  void withoutWarmupTheFirstStepUsesThePeak() {
    for (ScheduleType type : ScheduleType.values()) {
      LearningRateSchedule s = schedule(type, 0);
      assertEquals(2.0, s.at(0), 0.0, type.configName());
    }
    assertEquals(2.0 * (1 - 0.9 * 0.5), schedule(ScheduleType.LINEAR, 0).at(50), TOLERANCE);
    assertEquals(0.2, schedule(ScheduleType.COSINE, 0).at(100), TOLERANCE);
  }

  @Test
  void rejectsNegativeSteps() {
    assertThrows(IllegalArgumentException.class, () -> schedule(ScheduleType.CONSTANT, 0).at(-1));
  }

  private static LearningRateSchedule schedule(ScheduleType type, int warmup) {
    return new LearningRateSchedule(new OptimizerSettings(2.0, 0.9, 0.999, 1e-8, 0.0, 1.0,
        new ScheduleSettings(type, warmup, 100, 0.1)));
  }
}
