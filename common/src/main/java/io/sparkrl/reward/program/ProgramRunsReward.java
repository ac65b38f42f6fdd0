package io.sparkrl.reward.program;

import io.sparkrl.reward.Reward;

/**
 * The classic "1 if the code runs, 0 if it fails", for completions that are programs of the
 * {@link Interpreter}'s stack language: 1 when the completion runs within the limits and ends with
 * exactly one value, else 0. The prompt and the reference are not consulted. Never throws, and
 * returns within the limits' time and step budgets whatever the completion is.
 */
public final class ProgramRunsReward implements Reward {
  private static final long serialVersionUID = 1L;

  private final ProgramLimits limits;
  private transient Interpreter interpreter;

  public ProgramRunsReward(ProgramLimits limits) {
    this.limits = java.util.Objects.requireNonNull(limits, "limits == null");
  }

  @Override
  public double score(String prompt, String completion, String reference) {
    return interpreter().run(completion).runs() ? 1.0 : 0.0;
  }

  private Interpreter interpreter() {
    if (interpreter == null) {
      interpreter = new Interpreter(limits); // stateless: a benign race at worst builds two
    }
    return interpreter;
  }

  @Override
  public String toString() {
    return "ProgramRunsReward[" + limits + "]";
  }
}
