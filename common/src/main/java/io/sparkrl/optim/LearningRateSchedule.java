package io.sparkrl.optim;

import java.io.Serializable;

/**
 * The learning rate for each optimizer step: linear warmup from {@code peak/warmup} to the peak,
 * then constant, linear or cosine decay to {@code peak · minRatio}, then flat.
 *
 * <p>Warmup starts at {@code peak · 1/warmup} rather than 0 so that step 0 is not wasted, and
 * reaches the full peak on the last warmup step.
 */
public final class LearningRateSchedule implements Serializable {
  private static final long serialVersionUID = 1L;

  private final double peak;
  private final ScheduleSettings settings;

  public LearningRateSchedule(OptimizerSettings settings) {
    this.peak = settings.learningRate();
    this.settings = settings.schedule();
  }

  /**
   * The learning rate of the step being taken.
   *
   * @param step 0 for the first update, 1 for the second, ...
   * @throws IllegalArgumentException if step is negative
   */
  public double at(long step) {
    if (step < 0) {
      throw new IllegalArgumentException("step = " + step + ": must be >= 0");
    }
    int warmup = settings.warmupSteps();
    if (step < warmup) {
      return peak * (step + 1) / warmup;
    }
    double progress = Math.min(1.0, (double) (step - warmup) / settings.decaySteps());
    double minRatio = settings.minRatio();
    return switch (settings.type()) {
      case CONSTANT -> peak;
      case LINEAR -> peak * (1.0 - (1.0 - minRatio) * progress);
      case COSINE -> peak * (minRatio + (1.0 - minRatio) * 0.5 * (1.0 + Math.cos(Math.PI * progress)));
    };
  }

  /** The peak learning rate, {@code sparkrl.optimizer.learning-rate}. */
  public double peak() {
    return peak;
  }
}
