package io.sparkrl.job.driver;

import io.sparkrl.job.executor.OrderedMerge;
import io.sparkrl.job.executor.SliceFunction;
import io.sparkrl.job.executor.TreeLevel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * A step's task results merged on the executors in a fixed tree, so the driver receives at most
 * {@code fanIn} results however many tasks ran. Task i's result is folded with those of tasks
 * {@code [F*floor(i/F), F*floor(i/F)+F)} (F the fan-in) in index order, the folds of the next
 * level likewise, until at most F remain; the driver folds those in index order. The shape depends
 * only on the slice indices and F: runs with the same slices give bit-identical sums, wherever the
 * tasks ran and in whatever order they finished.
 *
 * <p>With at most F slices there is no level to run: the results come straight to the driver
 * ({@link SliceJob}), and the driver's fold is the whole tree. With more, each level is a shuffle
 * of F-to-1 (its bytes are the level's result sizes).
 */
public final class TreeMerge {
  private TreeMerge() {}

  /** The results of one level of the tree over {@code count} results: its groups. */
  static int level(int count, int fanIn) {
    return (count + fanIn - 1) / fanIn;
  }

  /** How many results reach the driver from {@code tasks} tasks: the top of the tree. */
  public static int topResults(int tasks, int fanIn) {
    int count = tasks;
    while (count > fanIn) {
      count = level(count, fanIn);
    }
    return count;
  }

  /** The results of the top of the tree (at most {@code fanIn}), in slice order. */
  public static <T, R> List<R> run(JavaSparkContext sc, List<T> slices,
      SliceFunction<T, R> function, Class<R> resultType, OrderedMerge<R> merge, int fanIn) {
    if (fanIn < 2) {
      throw new IllegalArgumentException("a merge tree needs a fan-in of at least 2, not " + fanIn);
    }
    if (slices.size() <= fanIn) {
      return SliceJob.run(sc, slices, function, resultType);
    }
    JavaPairRDD<Integer, TreeLevel.Indexed<R>> level = JavaPairRDD.fromJavaRDD(
        sc.parallelize(new ArrayList<>(slices), slices.size())
            .mapPartitionsWithIndex(new TreeLevel.Leaves<>(function, fanIn), true));
    int count = slices.size();
    while (count > fanIn) {
      int groups = level(count, fanIn);
      level = level.partitionBy(new TreeLevel.ByGroup(groups))
          .mapPartitionsToPair(new TreeLevel.Fold<>(merge, fanIn), true);
      count = groups;
    }
    List<TreeLevel.Indexed<R>> top = new ArrayList<>(level.values().collect());
    top.sort(Comparator.comparingInt(TreeLevel.Indexed::index));
    List<R> out = new ArrayList<>(top.size());
    for (TreeLevel.Indexed<R> r : top) {
      out.add(r.value());
    }
    return out;
  }
}
