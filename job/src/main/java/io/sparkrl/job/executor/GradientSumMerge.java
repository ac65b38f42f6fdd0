package io.sparkrl.job.executor;

import io.sparkrl.gradient.GradientSum;

/** SFT tasks' gradient sums merged in slice order ({@link GradientSum#plus}), on an executor. */
public final class GradientSumMerge implements OrderedMerge<GradientSum> {
  private static final long serialVersionUID = 1L;

  @Override
  public GradientSum plus(GradientSum earlier, GradientSum later) {
    return earlier.plus(later);
  }
}
