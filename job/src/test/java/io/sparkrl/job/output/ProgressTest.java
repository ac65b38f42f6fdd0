package io.sparkrl.job.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrl.step.RolloutFigures;
import io.sparkrl.step.StepMetrics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProgressTest {
  static final StepLog.Phases PHASES = new StepLog.Phases(1, 80, 2, 3, 0, 100);

  static StepMetrics metrics(long step) {
    RolloutFigures f = new RolloutFigures(0.0, 1.0, Map.of("format", 0.5), 0.25, 0, 1, 3, 9, 0.1,
        null, 1.5, 0);
    return new StepMetrics(step, 4, 16, 160, 0.4375, 0.5, -0.01, 0.8, 0.8, 1e-3, 10, 0.9, 0, 0,
        1, 1, 1, f, 0, null, 0);
  }

  /** A clock that advances 2 s per reading after the first. */
  static java.util.function.LongSupplier clock() {
    long[] now = {0};
    return () -> {
      long t = now[0];
      now[0] += 2_000_000_000L;
      return t;
    };
  }

  @ParameterizedTest(name = "{0} ns for {1} steps, {2} left -> {3} ms")
  @CsvSource({"10000000000, 5, 15, 30000", "3000000000, 1, 0, 0", "1000000000, 3, 1, 333"})
  void etaIsMeanStepTimeTimesStepsLeft(long elapsed, long done, long left, long millis) {
    assertEquals(millis, Progress.eta(elapsed, done, left).toMillis());
  }

  @Test
  void etaIsUnknownBeforeTheFirstStepAndFormatsReadably() {
    assertNull(Progress.eta(5, 0, 10));
    assertEquals("?", Progress.format(null));
    assertEquals("45s", Progress.format(Duration.ofSeconds(45)));
    assertEquals("3m05s", Progress.format(Duration.ofSeconds(185)));
    assertEquals("2h07m", Progress.format(Duration.ofMinutes(127)));
  }

  @Test
  void plainOutputIsOneLogLinePerStepWithTheEta() {
    List<String> log = new ArrayList<>();
    ByteArrayOutputStream screen = new ByteArrayOutputStream();
    Progress p = new Progress(false, new PrintStream(screen), log::add, 0, 10, clock());
    p.step(metrics(0), null, PHASES); // 2 s for 1 step, 9 left
    p.step(metrics(1), 0.5, PHASES); // 4 s for 2 steps, 8 left
    p.finish();
    assertEquals(2, log.size());
    assertTrue(log.get(0).startsWith("step     0 | reward 0.438"), log.get(0));
    assertTrue(log.get(0).endsWith("| eta 18s"), log.get(0));
    assertTrue(log.get(1).contains("acc 0.500") && log.get(1).endsWith("| eta 16s"), log.get(1));
    assertEquals(0, screen.size(), "nothing drawn on the screen");
  }

  @Test
  void terminalOutputRewritesOneLineAndKeepsEvaluatedSteps() {
    List<String> log = new ArrayList<>();
    ByteArrayOutputStream screen = new ByteArrayOutputStream();
    Progress p = new Progress(true, new PrintStream(screen, true, StandardCharsets.UTF_8),
        log::add, 5, 10, clock()); // resumed at step 5
    p.step(metrics(5), null, PHASES);
    String first = screen.toString(StandardCharsets.UTF_8);
    assertTrue(first.startsWith("\rstep 6/10  60% | eta 8s | reward 0.438 [0.00..1.00]"), first);
    assertFalse(first.contains("\n"), "the live line stays open");
    p.step(metrics(6), 0.75, PHASES);
    p.step(metrics(7), null, PHASES);
    p.finish();
    String all = screen.toString(StandardCharsets.UTF_8);
    assertEquals(3, all.split("\r", -1).length - 1, "one redraw per step");
    assertTrue(all.contains("acc 0.750"), all);
    assertEquals(2, all.chars().filter(c -> c == '\n').count(),
        "the evaluated step's line is kept, and finish ends the open one");
    assertTrue(log.isEmpty(), "no log lines under the live display");
  }
}
