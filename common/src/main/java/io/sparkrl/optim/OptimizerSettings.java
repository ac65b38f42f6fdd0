package io.sparkrl.optim;

import com.typesafe.config.Config;
import io.sparkrl.settings.Section;
import io.sparkrl.settings.SettingsException;
import java.io.Serializable;
import java.util.Objects;

/**
 * The {@code sparkrl.optimizer} section, read once on the driver. All defaults live in
 * reference.conf; this record only checks ranges.
 *
 * @param learningRate the peak learning rate, in (0, 10]
 * @param beta1 decay of the first-moment (mean) estimate, in [0, 1)
 * @param beta2 decay of the second-moment (uncentred variance) estimate, in [0, 1)
 * @param epsilon added to {@code sqrt(v̂)} in the denominator, in (0, 1]
 * @param weightDecay decoupled weight decay per step, multiplied by the learning rate, in [0, 1]
 * @param maxGradNorm the global L2 norm the gradient is clipped to; 0 disables clipping
 * @param schedule how the learning rate changes over the steps
 */
public record OptimizerSettings(
    double learningRate,
    double beta1,
    double beta2,
    double epsilon,
    double weightDecay,
    double maxGradNorm,
    ScheduleSettings schedule) implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final String SECTION = "sparkrl.optimizer";

  /** Checks the same ranges as {@link #from}, for records built in code. */
  public OptimizerSettings {
    Objects.requireNonNull(schedule, "schedule == null");
    check(learningRate > 0.0 && learningRate <= 10.0, "learningRate", learningRate, "(0, 10]");
    check(beta1 >= 0.0 && beta1 < 1.0, "beta1", beta1, "[0, 1)");
    check(beta2 >= 0.0 && beta2 < 1.0, "beta2", beta2, "[0, 1)");
    check(epsilon > 0.0 && epsilon <= 1.0, "epsilon", epsilon, "(0, 1]");
    check(weightDecay >= 0.0 && weightDecay <= 1.0, "weightDecay", weightDecay, "[0, 1]");
    check(maxGradNorm >= 0.0 && Double.isFinite(maxGradNorm), "maxGradNorm", maxGradNorm, "[0, inf)");
  }

  /** @throws SettingsException naming the first bad key */
  public static OptimizerSettings from(Config config) {
    Section section = new Section(config, SECTION);
    double learningRate = section.doubleAbove("learning-rate", 0.0, 10.0);
    double beta1 = beta(section, "beta1");
    double beta2 = beta(section, "beta2");
    double epsilon = section.doubleAbove("epsilon", 0.0, 1.0);
    double weightDecay = section.doubleIn("weight-decay", 0.0, 1.0);
    double maxGradNorm = section.finiteDouble("max-grad-norm");
    if (!(maxGradNorm >= 0.0 && Double.isFinite(maxGradNorm))) {
      throw new SettingsException(section.key("max-grad-norm"), maxGradNorm,
          "must be a finite number >= 0 (0 disables clipping)");
    }
    ScheduleSettings schedule = ScheduleSettings.from(section.child("schedule"));
    return new OptimizerSettings(learningRate, beta1, beta2, epsilon, weightDecay, maxGradNorm, schedule);
  }

  /** A beta of 1 would freeze the moment at 0 and make the bias correction divide by 0. */
  private static double beta(Section section, String name) {
    double beta = section.finiteDouble(name);
    if (!(beta >= 0.0 && beta < 1.0)) {
      throw new SettingsException(section.key(name), beta, "must be in [0, 1)");
    }
    return beta;
  }

  private static void check(boolean ok, String name, double value, String range) {
    if (!ok) {
      throw new IllegalArgumentException(name + " = " + value + ": must be in " + range);
    }
  }
}
