package io.sparkrl.settings;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.sparkrl.step.TrainerSettings;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KnownKeysTest {
  static Config with(String hocon) {
    return ConfigFactory.parseString(hocon).withFallback(ConfigFactory.defaultReference()).resolve();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "sparkrl.sampling.temprature = 0.7 | sparkrl.sampling.temprature | sparkrl.sampling.temperature",
      "sparkrl.policy.hiden-size = 64 | sparkrl.policy.hiden-size | sparkrl.policy.hidden-size",
      "sparkrl.colour = red | sparkrl.colour | ''"})
  void anUnknownKeyIsAnErrorWithASuggestion(String hocon, String key, String suggestion) {
    SettingsException e = assertThrows(SettingsException.class,
        () -> KnownKeys.check(with(hocon), ConfigFactory.defaultReference(), "sparkrl"));
    assertEquals(key, e.key());
    assertTrue(e.getMessage().contains("unknown key"), e.getMessage());
    if (!suggestion.isEmpty()) {
      assertTrue(e.getMessage().contains("did you mean " + suggestion), e.getMessage());
    }
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "sparkrl.policy.layers = two | sparkrl.policy.layers",
      "sparkrl.sampling.top-p = [1] | sparkrl.sampling.top-p",
      "sparkrl.sampling.group-size = 2.5 | sparkrl.sampling.group-size"})
  void aWrongTypeNamesTheKey(String hocon, String key) {
    // as a run validates: the key check, then every typed read
    SettingsException e = assertThrows(SettingsException.class, () -> {
      KnownKeys.check(with(hocon), ConfigFactory.defaultReference(), "sparkrl");
      TrainerSettings.from(with(hocon));
    });
    assertEquals(key, e.key());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "sparkrl.sampling.temperature = 0 | sparkrl.sampling.temperature | 0",
      "sparkrl.sampling.top-p = 1.5 | sparkrl.sampling.top-p | 1.5",
      "sparkrl.policy.layers = 0 | sparkrl.policy.layers | 0",
      "sparkrl.loss.aggregation = per-batch | sparkrl.loss.aggregation | per-batch",
      "sparkrl.advantage.estimator = rloo, sparkrl.sampling.group-size = 1 | sparkrl.sampling.group-size | 1",
      "sparkrl.loss.kl.estimator = k2 | sparkrl.loss.kl.estimator | k2"})
  void anOutOfRangeValueNamesTheKeyAndValue(String hocon, String key, String value) {
    SettingsException e = assertThrows(SettingsException.class, () -> TrainerSettings.from(with(hocon)));
    assertEquals(key, e.key());
    assertTrue(e.getMessage().contains(value), e.getMessage());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {"sparkrl.sampling.temperature = 0.7"})
  void validOverridesPass(String hocon) {
    assertDoesNotThrow(() -> KnownKeys.check(with(hocon), ConfigFactory.defaultReference(), "sparkrl"));
    assertEquals(0.7, TrainerSettings.from(with(hocon)).sampling().temperature());
  }
}
