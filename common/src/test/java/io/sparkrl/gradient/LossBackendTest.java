package io.sparkrl.gradient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.sparkrl.settings.Reference;
import io.sparkrl.settings.SettingsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code sparkrl.loss.backend}: auto is the GPU's pass on the CUDA backend, the CPU's elsewhere. */
class LossBackendTest {
  private static Config config(String text) {
    return ConfigFactory.parseString(text).withFallback(Reference.config()).resolve();
  }

  @ParameterizedTest
  @CsvSource({"auto, false, FAST", "auto, true, DL4J", "fast, true, FAST", "fast, false, FAST",
      "dl4j, false, DL4J", "dl4j, true, DL4J"})
  void autoIsDl4jOnCudaOnly(String setting, boolean cuda, LossSettings.Backend pass) {
    LossSettings.Backend backend =
        LossSettings.from(config("sparkrl.loss.backend = " + setting)).backend();
    assertEquals(setting, backend.name().toLowerCase(java.util.Locale.ROOT));
    assertEquals(pass, backend.resolve(cuda));
  }

  @Test
  void theDefaultIsAutoAndThisCpuJvmTakesTheFastPass() {
    assertEquals(LossSettings.Backend.AUTO, LossSettings.from(config("")).backend());
    assertEquals(LossSettings.Backend.FAST, LossSettings.Backend.AUTO.onLoadedBackend());
  }

  @Test
  void anUnknownBackendNamesTheKeyAndTheChoices() {
    SettingsException e = assertThrows(SettingsException.class,
        () -> LossSettings.from(config("sparkrl.loss.backend = gpu")));
    assertTrue(e.getMessage().contains("sparkrl.loss.backend"), e.getMessage());
    assertTrue(e.getMessage().contains("auto") && e.getMessage().contains("dl4j"),
        e.getMessage());
  }
}
