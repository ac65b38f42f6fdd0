package io.sparkrl.step;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TaskSlicesTest {
  @Test
  void slicesAreContiguousBalancedAndCoverTheStepInOrder() {
    for (int b = 1; b <= 40; b++) {
      List<Integer> prompts = IntStream.range(0, b).boxed().toList();
      for (int tasks = 1; tasks <= 12; tasks++) {
        List<List<Integer>> slices = TaskSlices.of(prompts, tasks);
        assertEquals(Math.min(b, tasks), slices.size(), b + " prompts, " + tasks + " tasks");
        List<Integer> joined = new ArrayList<>();
        int min = Integer.MAX_VALUE;
        int max = 0;
        for (List<Integer> s : slices) {
          joined.addAll(s);
          min = Math.min(min, s.size());
          max = Math.max(max, s.size());
        }
        assertEquals(prompts, joined);
        assertTrue(min >= 1 && max - min <= 1, "sizes " + min + ".." + max);
      }
    }
  }

  @Test
  void twoPromptsOnTwoTasksGoOneEach() {
    assertEquals(List.of(List.of("a"), List.of("b")), TaskSlices.of(List.of("a", "b"), 2));
  }

  @Test
  void rejectsNoTasks() {
    assertThrows(IllegalArgumentException.class, () -> TaskSlices.of(List.of(1), 0));
  }
}
