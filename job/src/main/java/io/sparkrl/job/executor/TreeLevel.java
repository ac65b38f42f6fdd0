package io.sparkrl.job.executor;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.api.java.function.PairFlatMapFunction;
import scala.Tuple2;

/**
 * The executor side of a merge tree: the leaves run a {@link SliceFunction} on their slice; each
 * level then folds groups of {@code fanIn} consecutive results, in index order, into one. A
 * result's index is its slice's (leaves) or its group's (levels above), so the tree's shape and
 * every summation order depend only on the slice indices and the fan-in.
 */
public final class TreeLevel {
  private TreeLevel() {}

  /** A result and its index at its level. */
  public record Indexed<R>(int index, R value) implements Serializable {}

  /** Leaves: partition i holds slice i; emits (i / fanIn, (i, result)). */
  public static final class Leaves<T, R>
      implements Function2<Integer, Iterator<T>, Iterator<Tuple2<Integer, Indexed<R>>>> {
    private final SliceFunction<T, R> function;
    private final int fanIn;

    public Leaves(SliceFunction<T, R> function, int fanIn) {
      this.function = function;
      this.fanIn = fanIn;
    }

    @Override
    public Iterator<Tuple2<Integer, Indexed<R>>> call(Integer index, Iterator<T> slice) {
      R result = function.apply(slice.next());
      return List.of(new Tuple2<>(index / fanIn, new Indexed<>(index, result))).iterator();
    }
  }

  /** One level: group g's results (in whatever order the shuffle delivers) folded by index. */
  public static final class Fold<R> implements
      PairFlatMapFunction<Iterator<Tuple2<Integer, Indexed<R>>>, Integer, Indexed<R>> {
    private final OrderedMerge<R> merge;
    private final int fanIn;

    public Fold(OrderedMerge<R> merge, int fanIn) {
      this.merge = merge;
      this.fanIn = fanIn;
    }

    @Override
    public Iterator<Tuple2<Integer, Indexed<R>>> call(Iterator<Tuple2<Integer, Indexed<R>>> part) {
      List<Tuple2<Integer, Indexed<R>>> rows = new ArrayList<>();
      part.forEachRemaining(rows::add);
      if (rows.isEmpty()) {
        return List.<Tuple2<Integer, Indexed<R>>>of().iterator();
      }
      int group = rows.get(0)._1();
      rows.sort(Comparator.comparingInt(t -> t._2().index()));
      R folded = null;
      for (Tuple2<Integer, Indexed<R>> t : rows) {
        if (t._1() != group) {
          throw new IllegalStateException("merge group " + group + " received a result of group "
              + t._1());
        }
        folded = folded == null ? t._2().value() : merge.plus(folded, t._2().value());
      }
      return List.of(new Tuple2<>(group / fanIn, new Indexed<>(group, folded))).iterator();
    }
  }

  /** Group g to partition g: one task per group. */
  public static final class ByGroup extends Partitioner {
    private final int groups;

    public ByGroup(int groups) {
      this.groups = groups;
    }

    @Override
    public int numPartitions() {
      return groups;
    }

    @Override
    public int getPartition(Object key) {
      return (Integer) key;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ByGroup b && b.groups == groups;
    }

    @Override
    public int hashCode() {
      return groups;
    }
  }
}
