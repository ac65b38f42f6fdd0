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
 * @param dropUniformGroups leave prompt groups whose G rewards are all equal out of the gradient
 *     and its count (group estimators only: their advantages are all 0 there)
 */
public record AdvantageSettings(AdvantageEstimator estimator, double epsilon, double emaDecay,
    boolean dropUniformGroups) implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final String SECTION = "sparkrl.advantage";

  private static final Set<String> NAMES = Arrays.stream(AdvantageEstimator.values())
      .map(AdvantageEstimator::configName)
      .collect(Collectors.toUnmodifiableSet());

  public AdvantageSettings {
    Objects.requireNonNull(estimator, "estimator == null");
    if (dropUniformGroups && !estimator.isGroupwise()) {
      throw new IllegalArgumentException("drop-uniform-groups needs a group estimator, not "
          + estimator.configName());
    }
  }

  /** Settings that keep every group. */
  public AdvantageSettings(AdvantageEstimator estimator, double epsilon, double emaDecay) {
    this(estimator, epsilon, emaDecay, false);
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
    boolean drop = section.bool("drop-uniform-groups");
    if (drop && !estimator.isGroupwise()) {
      throw new SettingsException(section.key("drop-uniform-groups"), true, "needs a group "
          + "estimator (group-mean, rloo or grpo), not " + estimator.configName() + ": only within"
          + " a group do equal rewards mean advantages of 0");
    }
    return new AdvantageSettings(estimator, epsilon, emaDecay, drop);
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
