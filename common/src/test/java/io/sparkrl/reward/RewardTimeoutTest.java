package io.sparkrl.reward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Reward calls that throw or never return fall back, are counted apart, and never block. */
class RewardTimeoutTest {

  static WeightedRewards rewards(String hocon) {
    return WeightedRewards.create(RewardSettings.from(
        ConfigFactory.parseString(hocon).withFallback(ConfigFactory.defaultReference())));
  }

  @Test
  void throwingAndHangingCallsFallBackAndAreCountedApart() {
    try (WeightedRewards r = rewards("""
        sparkrl.reward {
          functions = [
            { name = "%s", weight = 1.0 },
            { name = "%s", weight = 2.0 } ]
          fallback = -1
          timeout = 250ms
        }""".formatted(UnreliableRewards.THROWS_ON_ODD, UnreliableRewards.HANGS_ON_THREE))) {
      long t0 = System.nanoTime();
      long failures = 0;
      long timeouts = 0;
      for (int reference = 0; reference < 20; reference++) {
        boolean odd = reference % 2 != 0;
        boolean three = reference % 10 == 3;
        double expected = (odd ? -1 : 1) + 2 * (three ? -1 : 1);
        assertEquals(expected, r.score("p", "c", Integer.toString(reference)), "reference " + reference);
        failures += odd ? 1 : 0;
        timeouts += three ? 1 : 0;
        assertEquals(failures, r.failures(), "after reference " + reference);
        assertEquals(timeouts, r.timeouts(), "after reference " + reference);
      }
      assertEquals(10, r.failures());
      assertEquals(2, r.timeouts());
      double seconds = (System.nanoTime() - t0) / 1e9;
      // two abandoned calls of 0.25 s each, and everything else at once
      assertTrue(seconds >= 0.5 && seconds < 3, "took " + seconds + " s");
    }
  }

  /**
   * A whole pass scored as one batch gives every completion the scores single calls give, with
   * the same counts: a hung call times out alone and a fresh worker takes the rest of the batch.
   */
  @Test
  void aBatchScoresAsSingleCallsDo() {
    String hocon = """
        sparkrl.reward {
          functions = [
            { name = "%s", weight = 1.0 },
            { name = answer-match, weight = 1.0 },
            { name = "%s", weight = 2.0 } ]
          fallback = -1
          timeout = 250ms
        }""".formatted(UnreliableRewards.THROWS_ON_ODD, UnreliableRewards.HANGS_ON_THREE);
    List<String> prompts = new ArrayList<>();
    List<String> completions = new ArrayList<>();
    List<String> references = new ArrayList<>();
    for (int reference = 0; reference < 20; reference++) {
      prompts.add("p" + reference);
      completions.add("The answer is " + (reference % 4 == 0 ? reference : 99) + ".");
      references.add(Integer.toString(reference));
    }
    double[][] single = new double[20][];
    try (WeightedRewards r = rewards(hocon)) {
      for (int i = 0; i < 20; i++) {
        single[i] = r.scores(prompts.get(i), completions.get(i), references.get(i));
      }
    }
    try (WeightedRewards r = rewards(hocon)) {
      long t0 = System.nanoTime();
      double[][] batch = r.scores(prompts, completions, references);
      double seconds = (System.nanoTime() - t0) / 1e9;
      for (int i = 0; i < 20; i++) {
        assertArrayEquals(single[i], batch[i], "completion " + i);
      }
      assertEquals(-1.0, batch[3][2], "reference 3 hangs: fallback");
      assertEquals(1.0, batch[4][1], "answer-match, inline, still scores");
      assertEquals(10, r.failures());
      assertEquals(2, r.timeouts());
      // two abandoned calls of 0.25 s each (references 3 and 13), and everything else at once
      assertTrue(seconds >= 0.5 && seconds < 3, "took " + seconds + " s");
    }
  }

  /**
   * With every core busy, as on an executor running a task per core, each hand-off to the worker
   * waits for a core: scoring a pass as one batch must then cost less than call by call.
   */
  @Test
  void aBatchCostsLessThanSingleCallsOnBusyCores() throws Exception {
    int calls = 64;
    List<String> texts = java.util.Collections.nCopies(calls, "The answer is 7.");
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    List<Thread> busy = new ArrayList<>();
    for (int t = 0; t < Runtime.getRuntime().availableProcessors(); t++) {
      Thread b = new Thread(() -> {
        double x = 0;
        while (!stop.get()) {
          x += Math.sqrt(x + 1);
        }
      });
      b.setDaemon(true);
      b.start();
      busy.add(b);
    }
    double singleMs = Double.MAX_VALUE;
    double batchMs = Double.MAX_VALUE;
    try (WeightedRewards r = rewards("sparkrl.reward.functions = [{ name = \"%s\", weight = 1 }]"
        .formatted(UnreliableRewards.FAST))) {
      for (int round = 0; round < 5; round++) {
        long t0 = System.nanoTime();
        for (int i = 0; i < calls; i++) {
          r.scores("p", texts.get(i), "0");
        }
        singleMs = Math.min(singleMs, (System.nanoTime() - t0) / 1e6);
        t0 = System.nanoTime();
        double[][] scores = r.scores(java.util.Collections.nCopies(calls, "p"), texts,
            java.util.Collections.nCopies(calls, "0"));
        batchMs = Math.min(batchMs, (System.nanoTime() - t0) / 1e6);
        assertEquals(16.0, scores[calls - 1][0], "the batch scored");
      }
    } finally {
      stop.set(true);
    }
    System.out.printf("%d guarded calls with every core busy: one by one %.2f ms, as one batch"
        + " %.2f ms (best of 5)%n", calls, singleMs, batchMs);
    assertTrue(batchMs < singleMs, "batch " + batchMs + " ms, single calls " + singleMs + " ms");
  }

  @Test
  void theWorkerIsReplacedAfterATimeoutAndStoppedByClose() throws Exception {
    WeightedRewards r = rewards("""
        sparkrl.reward { functions = [{ name = "%s", weight = 1.0 }], timeout = 50ms }"""
        .formatted(UnreliableRewards.HANGS_ON_THREE));
    Set<Thread> before = workerThreads();
    assertEquals(1.0, r.score("p", "c", "1"));
    Set<Thread> first = workerThreads();
    first.removeAll(before);
    assertEquals(1, first.size(), "one worker for the first guarded call");
    assertEquals(0.0, r.score("p", "c", "3"));
    assertEquals(1.0, r.score("p", "c", "4"));
    assertEquals(1.0, r.score("p", "c", "6"));
    assertEquals(1, r.timeouts());
    Set<Thread> second = workerThreads();
    second.removeAll(before);
    second.removeAll(first);
    assertEquals(1, second.size(), "one replacement, reused by every later call");
    Thread hung = first.iterator().next();
    assertEquals(true, hung.isAlive() && hung.isDaemon(), "the hung call's thread is abandoned, a daemon");
    r.close();
    Thread replacement = second.iterator().next();
    replacement.join(2000);
    assertEquals(false, replacement.isAlive(), "close stops the idle worker");
  }

  /**
   * The guard's cost per call, measured on a user class as cheap as a reward can be against
   * calling it directly on this thread.
   */
  @Test
  void aGuardedCallCostsLittle() {
    int calls = 20_000;
    Reward direct = new UnreliableRewards.Fast();
    double guardedNanos;
    double directNanos;
    try (WeightedRewards guarded = rewards("sparkrl.reward.functions = [{ name = \"%s\", weight = 1 }]"
        .formatted(UnreliableRewards.FAST))) {
      double sum = 0;
      for (int warm = 0; warm < 3; warm++) {
        long t0 = System.nanoTime();
        for (int i = 0; i < calls; i++) {
          sum += guarded.score("p", "The answer is " + (i % 50) + ".", "0");
        }
        guardedNanos = (System.nanoTime() - t0) / (double) calls;
        t0 = System.nanoTime();
        for (int i = 0; i < calls; i++) {
          sum += direct.score("p", "The answer is " + (i % 50) + ".", "0");
        }
        directNanos = (System.nanoTime() - t0) / (double) calls;
        if (warm == 2) {
          System.out.printf("reward call: guarded %.1f us, direct %.1f us, guard overhead %.1f us%n",
              guardedNanos / 1e3, directNanos / 1e3, (guardedNanos - directNanos) / 1e3);
          assertTrue(sum > 0, "the calls scored");
          // a step scores ~128 completions: even 200 us a call would be 26 ms of a ~140 ms step
          assertTrue(guardedNanos - directNanos < 200_000, "overhead " + (guardedNanos - directNanos) + " ns");
        }
      }
    }
  }

  /**
   * {@code format} runs inline, on the caller's thread, yet a pattern that backtracks
   * exponentially stops at the timeout and counts as one, with no worker thread started.
   */
  @Test
  void aBacktrackingFormatPatternStopsItselfAtTheTimeout() {
    Set<Thread> before = workerThreads();
    try (WeightedRewards r = rewards("""
        sparkrl.reward {
          functions = [{ name = format, weight = 1 }]
          format.pattern = "(.*a){12}"
          fallback = -1
          timeout = 100ms
        }""")) {
      assertEquals(1.0, r.score("p", "a".repeat(20), "0"));
      assertEquals(0.0, r.score("p", "a".repeat(11), "0"));
      long t0 = System.nanoTime();
      // 40 a's then a b: every way to cut the a's into 12 groups is tried before failing (seconds
      // for 30 a's, growing ~30x per 10 more; Java's regex memoizes simpler nested loops such as
      // (a+)+b, but not this one)
      assertEquals(-1.0, r.score("p", "a".repeat(40) + "b", "0"));
      double seconds = (System.nanoTime() - t0) / 1e9;
      assertEquals(1, r.timeouts());
      assertEquals(0, r.failures());
      assertTrue(seconds >= 0.1 && seconds < 1.0, "stopped after " + seconds + " s");
      Set<Thread> after = workerThreads();
      after.removeAll(before);
      assertEquals(Set.of(), after, "format needs no worker thread");
      assertEquals(1.0, r.score("p", "a".repeat(15), "0"), "and scores normally afterwards");
    }
  }

  private static Set<Thread> workerThreads() {
    Set<Thread> threads = new HashSet<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("sparkrl-reward-") && t.isAlive()) {
        threads.add(t);
      }
    }
    return threads;
  }
}
