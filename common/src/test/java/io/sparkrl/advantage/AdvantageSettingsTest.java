package io.sparkrl.advantage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.sparkrl.settings.SettingsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AdvantageSettingsTest {
  private static final String GROUP_SIZE = "sparkrl.sampling.group-size";

  @Test
  void readsTheReferenceDefaults() {
    assertEquals(new AdvantageSettings(AdvantageEstimator.RLOO, 1e-4, 0.9), AdvantageSettings.from(config("")));
  }

  @ParameterizedTest
  @CsvSource(textBlock = """
      none,       NONE,       0.0,  0.0
      ema,        EMA,        1.0,  0.99
      batch-mean, BATCH_MEAN, 0.5,  0.5
      group-mean, GROUP_MEAN, 0.01, 0.0
      grpo,       GRPO,       1e-6, 0.9
      whiten,     WHITEN,     1e-8, 0.1
      WHITEN,     WHITEN,     1e-8, 0.1
      """)
  void readsOverrides(String name, AdvantageEstimator estimator, double epsilon, double decay) {
    AdvantageSettings s = AdvantageSettings.from(config("sparkrl.advantage { estimator = \"" + name
        + "\", epsilon = " + epsilon + ", ema-decay = " + decay + " }"));
    assertEquals(new AdvantageSettings(estimator, epsilon, decay), s);
  }

  @ParameterizedTest(name = "[{index}] {0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      estimator = baseline      | sparkrl.advantage.estimator
      estimator = [rloo]        | sparkrl.advantage.estimator
      epsilon = 2               | sparkrl.advantage.epsilon
      epsilon = -1e-4           | sparkrl.advantage.epsilon
      epsilon = small           | sparkrl.advantage.epsilon
      ema-decay = 1.0           | sparkrl.advantage.ema-decay
      ema-decay = -0.1          | sparkrl.advantage.ema-decay
      ema-decay = "NaN"         | sparkrl.advantage.ema-decay
      """)
  void errorsNameTheKey(String override, String key) {
    SettingsException e = assertThrows(SettingsException.class,
        () -> AdvantageSettings.from(config("sparkrl.advantage." + override)));
    assertEquals(key, e.key());
  }

  /** (estimator, G, allowed). */
  @ParameterizedTest
  @CsvSource(textBlock = """
      RLOO,       1, false
      RLOO,       0, false
      RLOO,       2, true
      GRPO,       1, false
      GRPO,       8, true
      GROUP_MEAN, 1, true
      NONE,       1, true
      EMA,        1, true
      BATCH_MEAN, 1, true
      WHITEN,     1, true
      """)
  void checksTheGroupSize(AdvantageEstimator estimator, int g, boolean allowed) {
    AdvantageSettings s = new AdvantageSettings(estimator, 1e-4, 0.9);
    if (allowed) {
      s.checkGroupSize(g, GROUP_SIZE);
      return;
    }
    SettingsException e = assertThrows(SettingsException.class, () -> s.checkGroupSize(g, GROUP_SIZE));
    assertEquals(GROUP_SIZE, e.key());
    String expected = "estimator " + estimator.configName() + " needs at least " + estimator.minGroupSize()
        + " completions per prompt";
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  private static Config config(String hocon) {
    return ConfigFactory.parseString(hocon).withFallback(ConfigFactory.defaultReference());
  }
}
