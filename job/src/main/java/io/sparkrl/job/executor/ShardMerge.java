package io.sparkrl.job.executor;

import io.sparkrl.step.ShardResult;

/** Shard results merged in slice order ({@link ShardResult#plus}), on an executor or the driver. */
public final class ShardMerge implements OrderedMerge<ShardResult> {
  private static final long serialVersionUID = 1L;

  @Override
  public ShardResult plus(ShardResult earlier, ShardResult later) {
    return earlier.plus(later);
  }
}
