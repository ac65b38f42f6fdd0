package io.sparkrl.job.output;

import io.sparkrl.step.StepMetrics;
import java.io.PrintStream;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The per-step display. On a terminal: one live line, rewritten in place each step (step, %, ETA
 * and the key figures); evaluated steps end the line so their accuracy stays on screen. Anywhere
 * else (a file, a scheduler's log): one plain log line per step, with the ETA.
 *
 * <p>The ETA is the mean time per step of this process (a resumed run counts from its resume)
 * times the steps left.
 */
public final class Progress {
  private static final String ERASE_TO_END_OF_LINE = "\u001b[K";

  private final boolean terminal;
  private final PrintStream screen;
  private final Consumer<String> log;
  private final long firstStep;
  private final long totalSteps;
  private final LongSupplier nanoClock;
  private final long startNanos;
  private boolean lineOpen;

  /**
   * @param terminal whether to draw the live line on {@code screen} instead of log lines
   * @param firstStep the step this process starts at (0, or the resumed checkpoint's)
   * @param totalSteps the step count the run stops at
   */
  public Progress(boolean terminal, PrintStream screen, Consumer<String> log, long firstStep,
      long totalSteps, LongSupplier nanoClock) {
    this.terminal = terminal;
    this.screen = screen;
    this.log = log;
    this.firstStep = firstStep;
    this.totalSteps = totalSteps;
    this.nanoClock = nanoClock;
    this.startNanos = nanoClock.getAsLong();
  }

  /** The display {@code sparkrl.monitor.progress} asks for: auto = live line iff on a terminal. */
  public static boolean terminal(String mode) {
    return switch (mode) {
      case "terminal" -> true;
      case "lines" -> false;
      default -> System.console() != null;
    };
  }

  /** Shows one finished step ({@code m.step()} is the policy version that sampled it). */
  public void step(StepMetrics m, Double accuracy, StepLog.Phases phases) {
    long done = m.step() + 1;
    Duration eta = eta(nanoClock.getAsLong() - startNanos, done - firstStep, totalSteps - done);
    if (!terminal) {
      log.accept(StepLog.line(m, accuracy, phases) + " | eta " + format(eta));
      return;
    }
    screen.print("\r" + liveLine(m, accuracy, phases, done, eta) + ERASE_TO_END_OF_LINE);
    lineOpen = accuracy == null;
    if (!lineOpen) {
      screen.println();
    }
    screen.flush();
  }

  /** Ends the live line, if one is open, so that later output starts on its own line. */
  public void finish() {
    if (terminal && lineOpen) {
      screen.println();
      screen.flush();
      lineOpen = false;
    }
  }

  String liveLine(StepMetrics m, Double accuracy, StepLog.Phases p, long done, Duration eta) {
    return String.format("step %d/%d %3.0f%% | eta %s | reward %.3f [%.2f..%.2f] | zero-std %.2f |%s"
            + " loss %+.4f | len %.1f | %,.0f tok/s", done, totalSteps,
        100.0 * done / Math.max(1, totalSteps), format(eta), m.rewardMean(),
        m.rollout().rewardMin(), m.rollout().rewardMax(), m.rollout().zeroStdFraction(),
        accuracy == null ? "" : String.format(" acc %.3f |", accuracy), m.loss(),
        m.meanCompletionLength(), m.completionTokens() / (p.stepMs() / 1000.0));
  }

  /**
   * The time left: the mean time per step so far times the steps left; zero when none are left,
   * unknown (null) before the first step.
   */
  public static Duration eta(long elapsedNanos, long stepsDone, long stepsLeft) {
    if (stepsLeft <= 0) {
      return Duration.ZERO;
    }
    if (stepsDone <= 0) {
      return null;
    }
    return Duration.ofNanos(Math.round((double) elapsedNanos / stepsDone * stepsLeft));
  }

  /** {@code 45s}, {@code 3m05s}, {@code 2h07m}; {@code ?} when unknown. */
  public static String format(Duration d) {
    if (d == null) {
      return "?";
    }
    long s = Math.round(d.toMillis() / 1000.0);
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return String.format("%dm%02ds", s / 60, s % 60);
    }
    return String.format("%dh%02dm", s / 3600, s % 3600 / 60);
  }
}
