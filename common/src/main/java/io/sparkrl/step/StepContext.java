package io.sparkrl.step;

import java.io.Serializable;

/**
 * What a step's tasks need beyond the policy: the run's seed and the step (which fix every random
 * draw) and the EMA baseline's current value (used only by the {@code ema} estimator).
 */
public record StepContext(long seed, long step, double emaBaseline) implements Serializable {}
