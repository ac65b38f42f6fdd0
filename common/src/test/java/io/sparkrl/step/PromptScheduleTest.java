package io.sparkrl.step;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PromptScheduleTest {
  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 7, 64, 65, 1000, 4097})
  void eachEpochIsAPermutationOfTheCorpus(long n) {
    PromptSchedule s = new PromptSchedule(n, 1, 5);
    for (long epoch = 0; epoch < 3; epoch++) {
      Set<Long> positions = new HashSet<>();
      for (long id = 0; id < n; id++) {
        long pos = s.positionOf(id, epoch);
        assertTrue(pos >= 0 && pos < n);
        assertTrue(positions.add(pos), "position " + pos + " taken twice");
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 4, 7})
  void stepsOfAnEpochAreDisjointAndFull(int b) {
    long n = 50;
    PromptSchedule s = new PromptSchedule(n, b, 11);
    Set<Long> seen = new HashSet<>();
    for (long step = 0; step < s.stepsPerEpoch(); step++) {
      List<Long> ids = idsOf(s, n, step);
      assertEquals(b, ids.size(), "step " + step);
      for (long id : ids) {
        assertTrue(seen.add(id), "row " + id + " twice in one epoch");
      }
    }
    assertEquals(s.stepsPerEpoch() * b, seen.size());
  }

  @ParameterizedTest
  @ValueSource(ints = {4})
  void dependsOnSeedAndEpochOnly(int b) {
    long n = 200;
    PromptSchedule a = new PromptSchedule(n, b, 1);
    assertEquals(idsOf(a, n, 3), idsOf(new PromptSchedule(n, b, 1), n, 3));
    assertNotEquals(idsOf(a, n, 3), idsOf(new PromptSchedule(n, b, 2), n, 3));
    long next = 3 + a.stepsPerEpoch(); // same slot, next epoch: another order
    assertNotEquals(idsOf(a, n, 3), idsOf(a, n, next));
    long first = (3 % a.stepsPerEpoch()) * b; // step 3's positions in its epoch's order
    for (long id : idsOf(a, n, 3)) {
      long position = a.positionOf(id, a.epochOf(3));
      assertTrue(position >= first && position < first + b, "position " + position);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 8})
  void selectingManyStepsAtOnceGivesEachStepsRowsInOrder(int b) {
    long n = 101;
    PromptSchedule s = new PromptSchedule(n, b, 9);
    List<PromptRecord> rows = new ArrayList<>();
    for (long id = 0; id < n; id++) {
      rows.add(new PromptRecord(id, "p" + id, "a"));
    }
    // rows shuffled, as a partition holds them in no particular order
    java.util.Collections.shuffle(rows, new java.util.Random(b));
    long perEpoch = s.stepsPerEpoch();
    long from = perEpoch + 2; // inside the second epoch
    long steps = s.stepsLeftInEpoch(from);
    assertEquals(perEpoch - 2, steps);
    List<PromptRecord> chunk = s.select(rows.iterator(), from, steps);
    assertEquals(steps * b, chunk.size());
    for (long k = 0; k < steps; k++) {
      List<Long> expected = idsOf(s, n, from + k);
      List<Long> got = chunk.subList((int) (k * b), (int) (k * b + b)).stream()
          .map(PromptRecord::id).toList();
      assertEquals(expected, got, "step " + (from + k));
      assertEquals(expected, s.select(rows.iterator(), from + k, 1).stream()
          .map(PromptRecord::id).toList());
    }
    // a chunk may not cross into the next epoch, whose order is another permutation
    assertThrows(IllegalArgumentException.class, () -> s.select(rows.iterator(), from, steps + 1));
    assertThrows(IllegalArgumentException.class, () -> s.select(rows.iterator(), from, 0));
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 11})
  void rejectsABatchLargerThanTheCorpus(int b) {
    assertThrows(IllegalArgumentException.class, () -> new PromptSchedule(10, b, 0));
  }

  private static List<Long> idsOf(PromptSchedule s, long n, long step) {
    List<Long> ids = new ArrayList<>();
    for (long id = 0; id < n; id++) {
      if (s.inSteps(id, step, 1)) {
        ids.add(id);
      }
    }
    ids.sort(java.util.Comparator.comparingLong(id -> s.positionOf(id, s.epochOf(step))));
    return ids;
  }
}
