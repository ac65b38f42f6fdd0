package io.sparkrl.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.sparkrl.gradient.LossSettings;
import io.sparkrl.sampling.SamplingSettings;
import org.junit.jupiter.api.Test;

/** Settings built in code take their unstated values from reference.conf, not from Java. */
class ReferenceDefaultsTest {
  @Test
  void shortConstructorsUseReferenceConf() {
    SamplingSettings reference = SamplingSettings.from(Reference.config());
    SamplingSettings shortForm = new SamplingSettings(4, 1.0, 0, 1.0, 8);
    assertEquals(reference.device(), shortForm.device());
    assertEquals(reference.maxBatchSequences(), shortForm.maxBatchSequences());
    assertEquals(reference.device(), SamplingSettings.greedy(8).device());
    assertEquals(LossSettings.from(Reference.config()).backend(),
        new LossSettings(LossSettings.Aggregation.TOKEN_MEAN, 0, LossSettings.KlEstimator.K1, 0)
            .backend());
  }

  @Test
  void referenceHoldsNoSystemProperties() {
    System.setProperty("sparkrl.sampling.device", "network");
    try {
      assertFalse(Reference.config().hasPath("sparkrl.no-such-key"));
      assertEquals("auto", Reference.config().getString("sparkrl.sampling.device"));
    } finally {
      System.clearProperty("sparkrl.sampling.device");
    }
  }
}
