package io.sparkrl.reward.program;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class InterpreterTest {
  /** The reference.conf defaults. */
  static final ProgramLimits LIMITS = new ProgramLimits(10_000, 64, 1_000_000_000L, 16, 250_000_000L);
  static final Interpreter INTERPRETER = new Interpreter(LIMITS);

  /** (program, result): ordinary programs that run. */
  @ParameterizedTest(name = "\"{0}\" = {1}")
  @CsvSource(delimiter = '|', value = {
      "7            | 7",
      "007          | 7",
      "3 4+         | 7",
      " 12 7 -      | 5",
      "6 7*         | 42",
      "7 2/         | 3",
      "0 7-2/       | -3",
      "7 3%         | 1",
      "0 7-3%       | -1",
      "2 3<         | 1",
      "3 2<         | 0",
      "4 4=         | 1",
      "5 4>         | 1",
      "5d+          | 10",
      "1 2s-        | 1",
      "1 2p         | 1",
      "5 0[9]       | 5",
      "5d[1-d]      | 0",
      "0 5d[s1+s1-d]p | 5",
      "1 5d[s2*s1-d]p | 32",
      "0 3d[s1+s 0[9] 1-d]p | 3",
      "1000000000   | 1000000000",
      "0 1000000000-| -1000000000",
      "1000000000 1000000000- | 0"})
  void ordinaryProgramsRun(String program, long expected) {
    Execution e = INTERPRETER.run(program);
    assertEquals(Outcome.RAN, e.outcome(), program);
    assertTrue(e.runs());
    assertEquals(expected, e.value(), program);
    assertTrue(e.steps() > 0 && e.steps() <= LIMITS.maxSteps());
  }

  /** (program, outcome): programs that fail, and why. */
  @ParameterizedTest(name = "\"{0}\" -> {1}")
  @CsvSource(delimiter = '|', value = {
      "''           | NOT_ONE_RESULT",
      "'   '        | NOT_ONE_RESULT",
      "1 2          | NOT_ONE_RESULT",
      "+            | STACK_UNDERFLOW",
      "1+           | STACK_UNDERFLOW",
      "d            | STACK_UNDERFLOW",
      "s            | STACK_UNDERFLOW",
      "p            | STACK_UNDERFLOW",
      "[]           | STACK_UNDERFLOW",
      "7 0/         | DIVISION_BY_ZERO",
      "7 0%         | DIVISION_BY_ZERO",
      "[            | SYNTAX_ERROR",
      "]            | SYNTAX_ERROR",
      "1[1]]        | SYNTAX_ERROR",
      "][           | SYNTAX_ERROR",
      "3 4 x        | SYNTAX_ERROR",
      "3,4+         | SYNTAX_ERROR",
      "3\t4+        | SYNTAX_ERROR",
      "The answer is 7. | SYNTAX_ERROR",
      "1000000001   | NUMBER_TOO_LARGE",
      "99999999999999999999999999 | NUMBER_TOO_LARGE",
      "999999999 9*  | NUMBER_TOO_LARGE",
      "0 999999999-9* | NUMBER_TOO_LARGE",
      "1[1]         | STEP_LIMIT",
      "1d[dd]       | STACK_LIMIT",
      "2d[d*d]      | NUMBER_TOO_LARGE"})
  void failingProgramsFailWithTheirReason(String program, Outcome expected) {
    Execution e = INTERPRETER.run(program);
    assertEquals(expected, e.outcome(), program);
    assertEquals(false, e.runs());
  }

  @Test
  void anEndlessLoopIsStoppedByTheStepBudgetQuickly() {
    long t0 = System.nanoTime();
    Execution e = INTERPRETER.run("1[1]");
    double ms = (System.nanoTime() - t0) / 1e6;
    System.out.printf("endless loop: STEP_LIMIT after %.3f ms%n", ms);
    assertEquals(Outcome.STEP_LIMIT, e.outcome());
    assertEquals(LIMITS.maxSteps(), e.steps());
    assertTrue(ms < 500, "stopped after " + ms + " ms");
  }

  @Test
  void anEndlessLoopIsStoppedByTheClockWhenTheStepBudgetIsHuge() {
    Interpreter patient = new Interpreter(new ProgramLimits(1_000_000_000_000L, 64, 1000, 16, 30_000_000L));
    long t0 = System.nanoTime();
    Execution e = patient.run("1[1 1+p 1]");
    double ms = (System.nanoTime() - t0) / 1e6;
    System.out.printf("endless loop, unlimited steps: TIME_LIMIT after %.1f ms%n", ms);
    assertEquals(Outcome.TIME_LIMIT, e.outcome());
    assertTrue(ms >= 30 && ms < 1000, "stopped after " + ms + " ms");
  }

  @Test
  void stackGrowthIsStoppedAtTheMemoryBudget() {
    Interpreter roomy = new Interpreter(new ProgramLimits(100_000_000, 100_000, 1000, 16, 10_000_000_000L));
    long t0 = System.nanoTime();
    Execution e = roomy.run("1d[dd]");
    double ms = (System.nanoTime() - t0) / 1e6;
    System.out.printf("stack growth: STACK_LIMIT after %.2f ms%n", ms);
    assertEquals(Outcome.STACK_LIMIT, e.outcome());
    // 1 and its copy, then each turn of the loop adds one value: the limit is hit exactly
    assertTrue(e.steps() > 100_000 && e.steps() < 400_000, "steps " + e.steps());
    assertTrue(ms < 1000, "stopped after " + ms + " ms");
  }

  @Test
  void tenThousandNestedLoopsAreRejectedWithoutRecursion() {
    String deep = "1" + "[".repeat(10_000) + "1" + "]".repeat(10_000);
    long t0 = System.nanoTime();
    assertEquals(Outcome.TOO_DEEP, INTERPRETER.run(deep).outcome());
    double ms = (System.nanoTime() - t0) / 1e6;
    System.out.printf("10,000 nested brackets: TOO_DEEP after %.3f ms%n", ms);
    assertTrue(ms < 500);
    // the parser needs no Java stack per level: a generous nesting limit parses it fine
    Interpreter deepOk = new Interpreter(new ProgramLimits(100_000, 64, 1000, 20_000, 1_000_000_000L));
    assertEquals(Outcome.STACK_UNDERFLOW, deepOk.run(deep).outcome(),
        "enters all 10,000 loops, then the last ] finds nothing to pop");
    Execution nested = deepOk.run("1[".repeat(10_000) + "0]".repeat(10_000) + "7");
    assertEquals(Outcome.RAN, nested.outcome(), "enters and leaves all 10,000 loops once");
    assertEquals(7, nested.value());
  }

  @Test
  void nestingUpToTheLimitIsAccepted() {
    String sixteen = "0" + "[".repeat(16) + "]".repeat(16) + "1";
    String seventeen = "0" + "[".repeat(17) + "]".repeat(17) + "1";
    assertEquals(Outcome.RAN, INTERPRETER.run(sixteen).outcome());
    assertEquals(Outcome.TOO_DEEP, INTERPRETER.run(seventeen).outcome());
  }

  /**
   * Random strings over the alphabet (and a few characters outside it): the interpreter never
   * throws, and no run exceeds its time budget by more than scheduling noise.
   */
  @Test
  void randomProgramsNeverThrowNorOverrunTheTimeBudget() {
    String alphabet = Interpreter.ALPHABET + "[[]]dd11x.";
    SplittableRandom random = new SplittableRandom(2024);
    int[] outcomes = new int[Outcome.values().length];
    long worstNanos = 0;
    ProgramRunsReward reward = new ProgramRunsReward(LIMITS);
    for (int i = 0; i < 50_000; i++) {
      StringBuilder b = new StringBuilder();
      int length = random.nextInt(1, 40);
      for (int k = 0; k < length; k++) {
        b.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      long t0 = System.nanoTime();
      Execution e = INTERPRETER.run(b.toString());
      double score = reward.score("", b.toString(), "");
      worstNanos = Math.max(worstNanos, System.nanoTime() - t0);
      outcomes[e.outcome().ordinal()]++;
      assertEquals(e.runs() ? 1.0 : 0.0, score);
    }
    System.out.printf("fuzz: 50,000 programs, worst %.2f ms, outcomes %s%n", worstNanos / 1e6,
        java.util.Arrays.toString(outcomes));
    assertTrue(worstNanos < LIMITS.timeLimitNanos() * 2 + 200_000_000L,
        "worst run took " + worstNanos / 1e6 + " ms");
    // the fuzz reaches the interesting outcomes, so the loop above tested something
    for (Outcome o : new Outcome[] {Outcome.RAN, Outcome.SYNTAX_ERROR, Outcome.STACK_UNDERFLOW,
        Outcome.NOT_ONE_RESULT, Outcome.STEP_LIMIT}) {
      assertTrue(outcomes[o.ordinal()] > 0, o + " never reached: " + java.util.Arrays.toString(outcomes));
    }
  }

  static Stream<Arguments> outputs() {
    return Stream.of(
        Arguments.of("3 4+", "7", 1.0),
        Arguments.of("3 4+", " 7 ", 1.0),
        Arguments.of("3 4*", "7", 0.0),
        Arguments.of("0 7-", "-7", 1.0),
        Arguments.of("7 7", "7", 0.0),
        Arguments.of("1[1]", "7", 0.0));
  }

  @ParameterizedTest(name = "\"{0}\" vs \"{1}\" -> {2}")
  @MethodSource("outputs")
  void programOutputPaysTheRightResult(String program, String reference, double expected) {
    assertEquals(expected, new ProgramOutputReward(LIMITS).score("", program, reference));
  }

  @Test
  void programOutputRejectsANonNumericReference() {
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> new ProgramOutputReward(LIMITS).score("", "7", "seven"));
  }
}
