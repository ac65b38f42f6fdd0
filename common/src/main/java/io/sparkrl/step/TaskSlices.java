package io.sparkrl.step;

import java.util.ArrayList;
import java.util.List;

/**
 * How a step's prompts are shared among its tasks: {@code tasks} contiguous slices of the step's
 * order whose sizes differ by at most one (slice i = [i·B/n, (i+1)·B/n)), so that the tasks of a
 * step finish together and the driver, merging in slice order, adds in the same order every run.
 */
public final class TaskSlices {
  private TaskSlices() {}

  /** The slices; never more than one per prompt, so none is empty. */
  public static <T> List<List<T>> of(List<T> prompts, int tasks) {
    if (tasks < 1) {
      throw new IllegalArgumentException("a step needs at least one task, not " + tasks);
    }
    int n = Math.min(tasks, prompts.size());
    List<List<T>> slices = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int from = (int) ((long) i * prompts.size() / n);
      int to = (int) ((long) (i + 1) * prompts.size() / n);
      slices.add(new ArrayList<>(prompts.subList(from, to)));
    }
    return slices;
  }
}
