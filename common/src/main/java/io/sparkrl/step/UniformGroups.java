package io.sparkrl.step;

import io.sparkrl.gradient.SequenceBatch;
import io.sparkrl.gradient.TrainingSequence;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Prompt groups whose G rewards are all equal ({@code advantage.drop-uniform-groups}): under a
 * group estimator their advantages are all 0, so they add nothing to the policy gradient but
 * their count to its denominator (and their KL/entropy terms). These helpers pick the completions
 * of the other groups, in order.
 */
final class UniformGroups {
  private UniformGroups() {}

  /** Indices of the completions whose group's rewards are not all equal, ascending. */
  static int[] kept(double[] rewards, int groupSize) {
    int[] kept = new int[rewards.length];
    int n = 0;
    for (int from = 0; from < rewards.length; from += groupSize) {
      boolean uniform = true;
      for (int j = 1; j < groupSize; j++) {
        uniform &= rewards[from + j] == rewards[from];
      }
      if (!uniform) {
        for (int j = 0; j < groupSize; j++) {
          kept[n++] = from + j;
        }
      }
    }
    return Arrays.copyOf(kept, n);
  }

  static SequenceBatch select(SequenceBatch batch, int[] kept) {
    List<TrainingSequence> out = new ArrayList<>(kept.length);
    for (int i : kept) {
      out.add(batch.sequences().get(i));
    }
    return new SequenceBatch(out);
  }

  static double[] select(double[] values, int[] kept) {
    double[] out = new double[kept.length];
    for (int k = 0; k < kept.length; k++) {
      out[k] = values[kept[k]];
    }
    return out;
  }

  static double[][] select(double[][] rows, int[] kept) {
    double[][] out = new double[kept.length][];
    for (int k = 0; k < kept.length; k++) {
      out[k] = rows[kept[k]];
    }
    return out;
  }
}
