package io.sparkrl.step;

import java.io.Serializable;

/**
 * What a step's tasks need beyond the policy: the run's seed and the step (which fix every random
 * draw), the EMA baseline's current value (used only by the {@code ema} estimator), and how many
 * prompt groups each task returns for the completions log (0: none; the training is the same).
 */
public record StepContext(long seed, long step, double emaBaseline, int samplePrompts)
    implements Serializable {

  public StepContext(long seed, long step, double emaBaseline) {
    this(seed, step, emaBaseline, 0);
  }

  public StepContext withSamplePrompts(int prompts) {
    return new StepContext(seed, step, emaBaseline, prompts);
  }
}
