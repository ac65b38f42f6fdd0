package io.sparkrl.reward.program;

/**
 * A parsed program of the stack language ({@link Interpreter} defines it): the source without
 * spaces, each literal folded into one instruction, and each bracket paired with its partner.
 *
 * <p>The parser is one loop with an explicit stack of open brackets, bounded by
 * {@code max-nesting}: a program of 10,000 nested loops is rejected as {@link Outcome#TOO_DEEP},
 * with no recursion that could overflow the Java stack.
 */
final class Program {
  static final byte LITERAL = 0;
  static final String OPERATORS = "+-*/%<=>dsp[]";

  /** Instruction i: an operator character, or {@link #LITERAL}. */
  final byte[] code;
  /** The literal's value where code[i] is LITERAL. */
  final long[] literals;
  /** Where code[i] is a bracket: the index of its partner. */
  final int[] partner;
  /** Instructions in the program: code[0, length). */
  final int length;

  private Program(byte[] code, long[] literals, int[] partner, int length) {
    this.code = code;
    this.literals = literals;
    this.partner = partner;
    this.length = length;
  }

  /** The parsed program, or the reason it cannot be parsed ({@link Parsed#failure}). */
  static Parsed parse(String source, ProgramLimits limits) {
    int n = source.length();
    byte[] code = new byte[n];
    long[] literals = new long[n];
    int[] partner = new int[n];
    int[] open = new int[Math.min(limits.maxNesting(), n) + 1];
    int depth = 0;
    int count = 0;
    int i = 0;
    while (i < n) {
      char c = source.charAt(i);
      if (c >= '0' && c <= '9') {
        long value = 0;
        for (; i < n && source.charAt(i) >= '0' && source.charAt(i) <= '9'; i++) {
          value = value * 10 + (source.charAt(i) - '0');
          if (value > limits.maxMagnitude()) {
            return Parsed.failed(Outcome.NUMBER_TOO_LARGE);
          }
        }
        code[count] = LITERAL;
        literals[count++] = value;
        continue;
      }
      i++;
      if (c == ' ') {
        continue;
      }
      if (OPERATORS.indexOf(c) < 0) {
        return Parsed.failed(Outcome.SYNTAX_ERROR);
      }
      if (c == '[') {
        if (depth == limits.maxNesting()) {
          return Parsed.failed(Outcome.TOO_DEEP);
        }
        open[depth++] = count;
      } else if (c == ']') {
        if (depth == 0) {
          return Parsed.failed(Outcome.SYNTAX_ERROR);
        }
        int start = open[--depth];
        partner[start] = count;
        partner[count] = start;
      }
      code[count++] = (byte) c;
    }
    if (depth != 0) {
      return Parsed.failed(Outcome.SYNTAX_ERROR);
    }
    return new Parsed(new Program(code, literals, partner, count), null);
  }

  /** Exactly one of program and failure is non-null. */
  record Parsed(Program program, Outcome failure) {
    static Parsed failed(Outcome failure) {
      return new Parsed(null, failure);
    }
  }
}
