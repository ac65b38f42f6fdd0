package io.sparkrl.sampling;

import java.util.SplittableRandom;

/**
 * The random stream of one completion, derived only from (seed, step, prompt id, sample index), so a
 * completion is the same whatever else shares its batch, its partition or its Spark task attempt.
 */
final class CompletionRandom {
  private CompletionRandom() {}

  static SplittableRandom of(long seed, long step, long promptId, int sampleIndex) {
    long h = mix(seed);
    h = mix(h ^ step);
    h = mix(h ^ promptId);
    h = mix(h ^ sampleIndex);
    return new SplittableRandom(h);
  }

  /** SplitMix64's finaliser: a bijective 64-bit mix. */
  private static long mix(long z) {
    z += 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
