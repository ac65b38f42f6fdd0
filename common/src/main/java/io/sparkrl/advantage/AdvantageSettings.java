package io.sparkrl.advantage;

import com.typesafe.config.Config;
import io.sparkrl.settings.Section;
import io.sparkrl.settings.SettingsException;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The {@code sparkrl.advantage} section, read once on the driver.
 *
 * @param estimator how rewards become advantages
 * @param epsilon added to the std by grpo and whiten, in [0, 1]
 * @param emaDecay the weight of the old baseline in the ema update, in [0, 1)
 */
public record AdvantageSettings(AdvantageEstimator estimator, double epsilon, double emaDecay)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final String SECTION = "sparkrl.advantage";

  private static final Set<String> NAMES = Arrays.stream(AdvantageEstimator.values())
      .map(AdvantageEstimator::configName)
      .collect(Collectors.toUnmodifiableSet());

  public AdvantageSettings {
    Objects.requireNonNull(estimator, "estimator == null");
  }

  /** @throws SettingsException naming the first bad key */
  public static AdvantageSettings from(Config config) {
    Section section = new Section(config, SECTION);
    AdvantageEstimator estimator = AdvantageEstimator.parse(section.oneOf("estimator", NAMES));
    double epsilon = section.doubleIn("epsilon", 0.0, 1.0);
    double emaDecay = section.finiteDouble("ema-decay");
    if (!(emaDecay >= 0.0 && emaDecay < 1.0)) {
      // 1 would freeze the baseline at the first batch mean forever.
      throw new SettingsException(section.key("ema-decay"), emaDecay, "must be in [0, 1)");
    }
    return new AdvantageSettings(estimator, epsilon, emaDecay);
  }

  /**
   * Checks the sampling group size against the estimator at start-up, so that a run with
   * {@code rloo} and G = 1 stops before sampling anything.
   *
   * @param groupSizeKey the key G was read from, named in the message
   */
  public void checkGroupSize(int groupSize, String groupSizeKey) {
    if (groupSize < estimator.minGroupSize()) {
      throw new SettingsException(groupSizeKey, groupSize, "estimator " + estimator.configName()
          + " needs at least " + estimator.minGroupSize() + " completions per prompt");
    }
  }
}
