package io.sparkrl.job.executor;

import java.io.Serializable;

/**
 * How two task results combine, the earlier slice's first: the merge order is fixed by the caller.
 * Both are the merge's own (read from a shuffle), so {@code plus} may build its result in the
 * earlier one's arrays.
 */
@FunctionalInterface
public interface OrderedMerge<R> extends Serializable {
  R plus(R earlier, R later);
}
