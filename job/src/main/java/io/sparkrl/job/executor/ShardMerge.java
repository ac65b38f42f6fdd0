package io.sparkrl.job.executor;

import io.sparkrl.step.ShardResult;

/**
 * Shard results merged in slice order on an executor, the earlier one's sums added into
 * ({@link ShardResult#plusInPlace}): both come from the merge tree's shuffle, read fresh.
 */
public final class ShardMerge implements OrderedMerge<ShardResult> {
  private static final long serialVersionUID = 1L;

  @Override
  public ShardResult plus(ShardResult earlier, ShardResult later) {
    return earlier.plusInPlace(later);
  }
}
