package io.sparkrl.reward.program;

import java.util.Arrays;

/**
 * Runs programs of a tiny postfix stack language inside the JVM, within {@link ProgramLimits}.
 * The language can compute, loop and fail, and nothing else: it has no I/O, no names, no files, no
 * network, no reflection, and it is never handed to a shell or a Java {@code eval}.
 *
 * <p><b>The language.</b> A program is a string over {@code 0-9 + - * / % < = > d s p [ ]} and
 * space. It works on a stack of whole numbers:
 *
 * <ul>
 *   <li>a run of digits is one literal, pushed ({@code 12}); a space only separates literals
 *       ({@code 12 7});
 *   <li>{@code + - * / %} pop b, pop a, push a+b, a-b, a·b, a/b (rounded toward zero), a mod b
 *       (the sign of a);
 *   <li>{@code < = >} pop b, pop a, push 1 when a&lt;b, a=b, a&gt;b, else 0;
 *   <li>{@code d} duplicates the top value, {@code s} swaps the top two, {@code p} pops one;
 *   <li>{@code [} pops a value and, when it is 0, jumps past its {@code ]}; {@code ]} pops a value
 *       and, when it is not 0, jumps back to just after its {@code [}. So {@code [body]} is "while
 *       the popped value is not 0, run body", and body leaves the next condition on top. Example:
 *       {@code 5d[1-d]} counts 5 down to 0 and ends with the single value 0.
 * </ul>
 *
 * <p><b>Runs</b> ({@link Outcome#RAN}): the program parses, every instruction finds the values it
 * needs, no division is by zero, no literal or result exceeds {@code max-magnitude} in absolute
 * value, the stack never holds more than {@code max-stack} values, it finishes within
 * {@code max-steps} instructions and {@code time-limit}, and it ends with exactly one value on the
 * stack: the program's result. Anything else is a failure with its reason ({@link Outcome}).
 *
 * <p>Examples: {@code 3 4+} runs (7); {@code 7 0/} divides by zero; {@code +} underflows;
 * {@code 1 2} leaves two values; {@code 1[1]} never ends and is stopped at {@code max-steps};
 * {@code 1d[dd]} grows the stack until {@code max-stack}; {@code 2d[d*d]} squares until
 * {@code max-magnitude}; ten thousand nested {@code [} are rejected by the parser.
 */
public final class Interpreter {
  /** Every character a program may contain. */
  public static final String ALPHABET = "0123456789" + Program.OPERATORS + " ";

  private final ProgramLimits limits;

  public Interpreter(ProgramLimits limits) {
    this.limits = limits;
  }

  /** Parses and runs {@code source}; never throws for any source string. */
  public Execution run(String source) {
    Program.Parsed parsed = Program.parse(source, limits);
    if (parsed.failure() != null) {
      return Execution.failed(parsed.failure(), 0);
    }
    return execute(parsed.program());
  }

  private Execution execute(Program program) {
    long deadline = System.nanoTime() + limits.timeLimitNanos();
    long max = limits.maxMagnitude();
    // The stack grows by doubling up to max-stack: a short program never allocates the budget.
    long[] stack = new long[Math.min(16, limits.maxStack())];
    int top = 0; // values on the stack
    long steps = 0;
    int pc = 0;
    while (pc < program.length) {
      if (++steps > limits.maxSteps()) {
        return Execution.failed(Outcome.STEP_LIMIT, steps - 1);
      }
      if (steps % ProgramLimits.CLOCK_EVERY == 0 && System.nanoTime() - deadline > 0) {
        return Execution.failed(Outcome.TIME_LIMIT, steps);
      }
      byte op = program.code[pc];
      int needs = needs(op);
      if (top < needs) {
        return Execution.failed(Outcome.STACK_UNDERFLOW, steps);
      }
      if (op == Program.LITERAL || op == 'd') {
        if (top == limits.maxStack()) {
          return Execution.failed(Outcome.STACK_LIMIT, steps);
        }
        if (top == stack.length) {
          stack = Arrays.copyOf(stack, (int) Math.min(2L * stack.length, limits.maxStack()));
        }
        stack[top] = op == 'd' ? stack[top - 1] : program.literals[pc];
        top++;
        pc++;
        continue;
      }
      switch (op) {
        case 's' -> {
          long t = stack[top - 1];
          stack[top - 1] = stack[top - 2];
          stack[top - 2] = t;
        }
        case 'p' -> top--;
        case '[' -> {
          if (stack[--top] == 0) {
            pc = program.partner[pc];
          }
        }
        case ']' -> {
          if (stack[--top] != 0) {
            pc = program.partner[pc];
          }
        }
        default -> {
          long b = stack[--top];
          long a = stack[top - 1];
          if ((op == '/' || op == '%') && b == 0) {
            return Execution.failed(Outcome.DIVISION_BY_ZERO, steps);
          }
          long r = arithmetic(op, a, b);
          if (r > max || r < -max) {
            return Execution.failed(Outcome.NUMBER_TOO_LARGE, steps);
          }
          stack[top - 1] = r;
        }
      }
      pc++;
    }
    return top == 1 ? new Execution(Outcome.RAN, stack[0], steps)
        : Execution.failed(Outcome.NOT_ONE_RESULT, steps);
  }

  private static int needs(byte op) {
    return switch (op) {
      case Program.LITERAL -> 0;
      case 'd', 'p', '[', ']' -> 1;
      default -> 2;
    };
  }

  /**
   * Operands are within max-magnitude (at most 1e18), so only a product can leave the long range;
   * multiplyHigh detects that exactly, and Long.MAX_VALUE then stands for "too large".
   */
  private static long arithmetic(byte op, long a, long b) {
    return switch (op) {
      case '+' -> a + b;
      case '-' -> a - b;
      case '*' -> {
        long high = Math.multiplyHigh(a, b);
        long low = a * b;
        yield (high == 0 && low >= 0) || (high == -1 && low < 0) ? low : Long.MAX_VALUE;
      }
      case '/' -> a / b;
      case '%' -> a % b;
      case '<' -> a < b ? 1 : 0;
      case '=' -> a == b ? 1 : 0;
      case '>' -> a > b ? 1 : 0;
      default -> throw new IllegalStateException("not an operator: " + (char) op);
    };
  }
}
