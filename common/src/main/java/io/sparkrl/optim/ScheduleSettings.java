package io.sparkrl.optim;

import io.sparkrl.settings.Section;
import io.sparkrl.settings.SettingsException;
import java.io.Serializable;
import java.util.Objects;

/**
 * The {@code sparkrl.optimizer.schedule} section: how the learning rate moves from step to step.
 *
 * @param type the shape after warmup
 * @param warmupSteps steps of linear warmup up to the peak, {@code >= 0}; warmup keeps the first
 *     updates small while Adam's second-moment estimate still rests on very few gradients
 * @param decaySteps steps from the end of warmup to the end of the decay, {@code >= 1}
 * @param minRatio the learning rate at the end of the decay as a fraction of the peak, in [0, 1]
 */
public record ScheduleSettings(ScheduleType type, int warmupSteps, int decaySteps, double minRatio)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  public ScheduleSettings {
    Objects.requireNonNull(type, "type == null");
    if (warmupSteps < 0) {
      throw new IllegalArgumentException("warmupSteps = " + warmupSteps + ": must be >= 0");
    }
    if (decaySteps < 1) {
      throw new IllegalArgumentException("decaySteps = " + decaySteps + ": must be >= 1");
    }
    if (!(minRatio >= 0.0 && minRatio <= 1.0)) {
      throw new IllegalArgumentException("minRatio = " + minRatio + ": must be in [0, 1]");
    }
  }

  /**
   * Reads the section {@code schedule} names, e.g. {@code new Section(config,
   * "sparkrl.optimizer.schedule")}.
   *
   * @throws SettingsException naming the first bad key
   */
  public static ScheduleSettings from(Section schedule) {
    ScheduleType type = ScheduleType.parse(schedule.oneOf("type", ScheduleType.NAMES));
    int warmupSteps = schedule.nonNegativeInt("warmup-steps");
    int decaySteps = schedule.positiveInt("decay-steps");
    double minRatio = schedule.doubleIn("min-ratio", 0.0, 1.0);
    return new ScheduleSettings(type, warmupSteps, decaySteps, minRatio);
  }
}
