package io.sparkrl.reward.program;

import io.sparkrl.reward.Reward;

/**
 * 1 when the completion runs (as {@link ProgramRunsReward} defines it) and its result equals the
 * reference answer, else 0: pays for the right program, not just any program that runs.
 */
public final class ProgramOutputReward implements Reward {
  private static final long serialVersionUID = 1L;

  private final ProgramLimits limits;
  private transient Interpreter interpreter;

  public ProgramOutputReward(ProgramLimits limits) {
    this.limits = java.util.Objects.requireNonNull(limits, "limits == null");
  }

  /**
   * @throws IllegalArgumentException when the reference is not a whole number: a defect of the
   *     data, which the weighted sum turns into the fallback and counts
   */
  @Override
  public double score(String prompt, String completion, String reference) {
    long expected;
    try {
      expected = Long.parseLong(reference.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "reference answer \"" + reference + "\" is not a whole number", e);
    }
    if (interpreter == null) {
      interpreter = new Interpreter(limits);
    }
    Execution run = interpreter.run(completion);
    return run.runs() && run.value() == expected ? 1.0 : 0.0;
  }

  @Override
  public String toString() {
    return "ProgramOutputReward[" + limits + "]";
  }
}
