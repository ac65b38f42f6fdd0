package io.sparkrl.step;

import java.io.Serializable;

/**
 * Which prompts a step trains on, as a function of (seed, epoch, step) only.
 *
 * <p>Each epoch visits the corpus in a pseudo-random order: a keyed Feistel permutation of the row
 * ids [0, N), cycle-walked from the next power of four. Step s takes positions
 * [(s mod S)·B, (s mod S)·B + B) of epoch s / S, with S = floor(N / B) steps per epoch (the last
 * N mod B rows of an epoch's order wait for a later epoch). Because the permutation can be
 * inverted row by row, every partition finds its own rows of a step without the driver ever
 * holding the list, and the answer does not depend on how the corpus is partitioned.
 */
public final class PromptSchedule implements Serializable {
  private static final int ROUNDS = 6;

  private final long corpusSize;
  private final int promptsPerStep;
  private final long seed;
  private final int halfBits;
  private final long halfMask;

  public PromptSchedule(long corpusSize, int promptsPerStep, long seed) {
    if (promptsPerStep < 1 || corpusSize < promptsPerStep) {
      throw new IllegalArgumentException("a step takes " + promptsPerStep
          + " prompts but the corpus has only " + corpusSize);
    }
    this.corpusSize = corpusSize;
    this.promptsPerStep = promptsPerStep;
    this.seed = seed;
    int bits = 64 - Long.numberOfLeadingZeros(Math.max(1, corpusSize - 1));
    this.halfBits = Math.max(1, (bits + 1) / 2);
    this.halfMask = (1L << halfBits) - 1;
  }

  public long stepsPerEpoch() {
    return corpusSize / promptsPerStep;
  }

  public long epochOf(long step) {
    return step / stepsPerEpoch();
  }

  /** Position of row {@code id} in the epoch's order, in [0, N). */
  public long positionOf(long id, long epoch) {
    long key = mix(seed ^ mix(epoch));
    long x = id;
    do {
      x = unpermute(x, key);
    } while (x >= corpusSize);
    return x;
  }

  /** Steps from {@code step} to the end of its epoch, {@code step} included. */
  public long stepsLeftInEpoch(long step) {
    return stepsPerEpoch() - step % stepsPerEpoch();
  }

  /**
   * The rows of {@code rows} that are in steps [{@code fromStep}, {@code fromStep + steps}), in
   * the order of the steps and within each step in the step's order: for a whole corpus, exactly
   * {@code steps} × B rows, step {@code fromStep + k} being rows [k·B, k·B + B). The steps must lie
   * in one epoch ({@link #stepsLeftInEpoch}).
   */
  public java.util.List<PromptRecord> select(java.util.Iterator<PromptRecord> rows, long fromStep,
      long steps) {
    java.util.List<PromptRecord> found = new java.util.ArrayList<>();
    while (rows.hasNext()) {
      PromptRecord p = rows.next();
      if (inSteps(p.id(), fromStep, steps)) {
        found.add(p);
      }
    }
    return inStepOrder(found, fromStep);
  }

  /** Whether row {@code id} is in steps [{@code fromStep}, {@code fromStep + steps}) of one epoch. */
  public boolean inSteps(long id, long fromStep, long steps) {
    if (steps < 1 || steps > stepsLeftInEpoch(fromStep)) {
      throw new IllegalArgumentException("steps " + fromStep + ".." + (fromStep + steps - 1)
          + " do not lie in one epoch of " + stepsPerEpoch() + " steps");
    }
    long first = (fromStep % stepsPerEpoch()) * promptsPerStep;
    long position = positionOf(id, epochOf(fromStep));
    return position >= first && position < first + steps * promptsPerStep;
  }

  /**
   * Rows of steps in the epoch of {@code fromStep} (as {@link #inSteps} picks them, from any
   * number of partitions), sorted into the order of the steps.
   */
  public java.util.List<PromptRecord> inStepOrder(java.util.List<PromptRecord> rows,
      long fromStep) {
    long epoch = epochOf(fromStep);
    record Placed(long position, PromptRecord row) {}
    java.util.List<Placed> placed = new java.util.ArrayList<>(rows.size());
    for (PromptRecord p : rows) {
      placed.add(new Placed(positionOf(p.id(), epoch), p));
    }
    placed.sort(java.util.Comparator.comparingLong(Placed::position));
    java.util.List<PromptRecord> ordered = new java.util.ArrayList<>(placed.size());
    for (Placed p : placed) {
      ordered.add(p.row());
    }
    return ordered;
  }

  private long unpermute(long x, long key) {
    long left = x >>> halfBits;
    long right = x & halfMask;
    for (int r = ROUNDS - 1; r >= 0; r--) {
      long previous = right ^ (round(left, key, r) & halfMask);
      right = left;
      left = previous;
    }
    return (left << halfBits) | right;
  }

  private static long round(long half, long key, int r) {
    return mix(half ^ key ^ (0x9E3779B97F4A7C15L * (r + 1)));
  }

  private static long mix(long z) {
    z += 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
