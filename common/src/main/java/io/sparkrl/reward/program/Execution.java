package io.sparkrl.reward.program;

/**
 * The result of running one program.
 *
 * @param outcome how it ended
 * @param value the single value left on the stack; meaningful only when the outcome is RAN
 * @param steps instructions executed
 */
public record Execution(Outcome outcome, long value, long steps) {

  /** Whether the program ran: "1 if the code runs, 0 if it fails". */
  public boolean runs() {
    return outcome == Outcome.RAN;
  }

  static Execution failed(Outcome outcome, long steps) {
    return new Execution(outcome, 0, steps);
  }
}
