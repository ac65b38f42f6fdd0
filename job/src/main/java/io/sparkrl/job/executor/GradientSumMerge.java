package io.sparkrl.job.executor;

import io.sparkrl.gradient.GradientSum;

/**
 * SFT tasks' gradient sums merged in slice order on an executor, the earlier one added into
 * ({@link GradientSum#plusInPlace}): both come from the merge tree's shuffle, read fresh.
 */
public final class GradientSumMerge implements OrderedMerge<GradientSum> {
  private static final long serialVersionUID = 1L;

  @Override
  public GradientSum plus(GradientSum earlier, GradientSum later) {
    return earlier.plusInPlace(later);
  }
}
