package io.sparkrl.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.sparkrl.settings.SettingsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OptimizerSettingsTest {
  @Test
  void readsTheReferenceDefaults() {
    OptimizerSettings expected = new OptimizerSettings(1e-3, 0.9, 0.999, 1e-8, 0.0, 1.0,
        new ScheduleSettings(ScheduleType.CONSTANT, 0, 1000, 0.0));
    assertEquals(expected, OptimizerSettings.from(config("")));
  }

  @Test
  void readsOverrides() {
    OptimizerSettings s = OptimizerSettings.from(config("""
        sparkrl.optimizer {
          learning-rate = 3e-5, beta1 = 0, beta2 = 0.95, epsilon = 1, weight-decay = 1,
          max-grad-norm = 0
          schedule { type = COSINE, warmup-steps = 7, decay-steps = 1, min-ratio = 1 }
        }
        """));
    assertEquals(new OptimizerSettings(3e-5, 0.0, 0.95, 1.0, 1.0, 0.0,
        new ScheduleSettings(ScheduleType.COSINE, 7, 1, 1.0)), s);
  }

  @Test
  void acceptsTheUpperLearningRateBound() {
    assertEquals(10.0, OptimizerSettings.from(config("sparkrl.optimizer.learning-rate = 10")).learningRate());
  }

  @ParameterizedTest(name = "[{index}] {0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      learning-rate = 0               | sparkrl.optimizer.learning-rate
      learning-rate = 10.5            | sparkrl.optimizer.learning-rate
      learning-rate = fast            | sparkrl.optimizer.learning-rate
      beta1 = 1.0                     | sparkrl.optimizer.beta1
      beta1 = -0.1                    | sparkrl.optimizer.beta1
      beta2 = 1                       | sparkrl.optimizer.beta2
      beta2 = "NaN"                   | sparkrl.optimizer.beta2
      epsilon = 0                     | sparkrl.optimizer.epsilon
      epsilon = 2                     | sparkrl.optimizer.epsilon
      weight-decay = -0.01            | sparkrl.optimizer.weight-decay
      weight-decay = 1.5              | sparkrl.optimizer.weight-decay
      max-grad-norm = -1              | sparkrl.optimizer.max-grad-norm
      max-grad-norm = "Infinity"      | sparkrl.optimizer.max-grad-norm
      schedule.type = step            | sparkrl.optimizer.schedule.type
      schedule.type = "step"          | sparkrl.optimizer.schedule.type
      schedule.warmup-steps = -1      | sparkrl.optimizer.schedule.warmup-steps
      schedule.decay-steps = 0        | sparkrl.optimizer.schedule.decay-steps
      schedule.min-ratio = 1.5        | sparkrl.optimizer.schedule.min-ratio
      schedule.min-ratio = -0.1       | sparkrl.optimizer.schedule.min-ratio
      """)
  void errorsNameTheKey(String override, String key) {
    SettingsException e = assertThrows(SettingsException.class,
        () -> OptimizerSettings.from(config("sparkrl.optimizer." + override)));
    assertEquals(key, e.key());
    assertTrue(e.getMessage().startsWith(key), e.getMessage());
  }

  @Test
  void unknownScheduleTypeListsTheChoices() {
    SettingsException e = assertThrows(SettingsException.class,
        () -> OptimizerSettings.from(config("sparkrl.optimizer.schedule.type = step")));
    assertTrue(e.getMessage().contains("[constant, cosine, linear]"), e.getMessage());
  }

  @Test
  void constructorChecksRangesToo() {
    ScheduleSettings schedule = new ScheduleSettings(ScheduleType.LINEAR, 0, 10, 0.0);
    assertThrows(IllegalArgumentException.class,
        () -> new OptimizerSettings(1e-3, 1.0, 0.999, 1e-8, 0.0, 1.0, schedule));
    assertThrows(IllegalArgumentException.class,
        () -> new OptimizerSettings(1e-3, 0.9, 0.999, 1e-8, 0.0, -1.0, schedule));
    assertThrows(IllegalArgumentException.class,
        () -> new ScheduleSettings(ScheduleType.LINEAR, 0, 0, 0.0));
  }

  private static Config config(String overrides) {
    return ConfigFactory.parseString(overrides).withFallback(ConfigFactory.defaultReference()).resolve();
  }
}
