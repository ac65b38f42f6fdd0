package io.sparkrl.reward.program;

/** How a program run ended. Only {@link #RAN} counts as running. */
public enum Outcome {
  /** Parsed, stayed within every limit, and left exactly one value on the stack. */
  RAN,
  /** A character outside the language, or a bracket without its partner. */
  SYNTAX_ERROR,
  /** Loops nested deeper than {@code max-nesting}: rejected by the parser. */
  TOO_DEEP,
  /** A literal or a result beyond {@code max-magnitude}. */
  NUMBER_TOO_LARGE,
  /** More values on the stack than {@code max-stack}: the memory budget. */
  STACK_LIMIT,
  /** More instructions executed than {@code max-steps}. */
  STEP_LIMIT,
  /** Ran longer than {@code time-limit} of wall-clock time. */
  TIME_LIMIT,
  /** An instruction needed more values than the stack held. */
  STACK_UNDERFLOW,
  /** {@code /} or {@code %} by zero. */
  DIVISION_BY_ZERO,
  /** Finished, but with no value or with more than one on the stack. */
  NOT_ONE_RESULT
}
