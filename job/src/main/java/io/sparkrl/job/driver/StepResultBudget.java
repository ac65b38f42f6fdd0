package io.sparkrl.job.driver;

import io.sparkrl.advantage.AdvantageEstimator;
import io.sparkrl.settings.SettingsException;
import io.sparkrl.step.TrainerSettings;
import java.util.Locale;
import org.apache.spark.SparkConf;

/**
 * What one step's task results cost the driver, checked when a run starts, before its first step.
 *
 * <p>A REINFORCE task returns one gradient sum of the whole parameter vector, or two or three when
 * the advantage estimator needs the batch's statistics (the sum of the advantage-weighted terms, of
 * the plain ones, and for {@code whiten} with a KL or entropy term that term apart: see
 * {@code RolloutWorker}); an SFT task returns one. The top of the merge tree reaches the driver
 * ({@link TreeMerge#topResults}: the tasks themselves up to {@code run.merge-fan-in}, above it
 * between 2 and that many merged results, e.g. 2 from 9-16 tasks and 4 from 32 at a fan-in of
 * 8). On the wire a sum takes at least 4 bytes a parameter unless it is all zero
 * ({@code GradientSumForm}: its entries as floats, plus those a float does not give back; a sum
 * merged on the executors mostly as doubles, 8). Read on the driver, every sum is a double[], 8
 * bytes a parameter, and the step holds all of its results at once while it merges them in slice
 * order (into the first one's arrays, {@code PolicyUpdater.mergeReceived}); the optimizer's two
 * moments (16 bytes a parameter), the mean gradient (8) and the parameters (4) stay for the whole
 * run.
 *
 * <p>Both checks use the least a step can take, so they refuse only runs that would fail at their
 * first step whose results all carry a gradient (a result whose sums are all zero, a task whose
 * rewards were all equal for some estimators, travels as its length only), after its tasks had
 * sampled and differentiated:
 * <ul>
 *   <li>{@code spark.driver.maxResultSize}, when the user sets one ({@link SparkDefaults} lifts
 *       Spark's 1 GiB default, which a 135M-parameter policy's two task results already exceed):
 *       Spark aborts a job whose results add up to more;</li>
 *   <li>the driver JVM's maximum heap.</li>
 * </ul>
 */
public record StepResultBudget(long parameters, int results, int sumsPerResult, boolean merged) {
  static final String MAX_RESULT_SIZE = "spark.driver.maxResultSize";
  /** AdamW's moments (2 doubles), the mean gradient (a double), the parameters (a float). */
  static final long DRIVER_BYTES_PER_PARAMETER = 16 + 8 + 4;

  public StepResultBudget {
    if (parameters < 1 || results < 1 || sumsPerResult < 1) {
      throw new IllegalArgumentException("parameters, results and sums must be positive: "
          + parameters + ", " + results + ", " + sumsPerResult);
    }
  }

  /** A REINFORCE step's results: {@code tasks} tasks, merged above {@code fanIn}. */
  public static StepResultBudget reinforce(TrainerSettings settings, long parameters, int tasks,
      int fanIn) {
    AdvantageEstimator estimator = settings.advantage().estimator();
    int sums = 1;
    if (estimator.needsBatchStatistics()) {
      sums = estimator == AdvantageEstimator.WHITEN && settings.loss().hasRegularizer() ? 3 : 2;
    }
    return of(parameters, tasks, fanIn, sums);
  }

  /** An SFT step's results: one gradient sum a task. */
  public static StepResultBudget sft(long parameters, int tasks, int fanIn) {
    return of(parameters, tasks, fanIn, 1);
  }

  private static StepResultBudget of(long parameters, int tasks, int fanIn, int sums) {
    return new StepResultBudget(parameters, TreeMerge.topResults(tasks, fanIn), sums,
        tasks > fanIn);
  }

  /** The least the driver receives in a step whose gradient is not all zero, serialized. */
  public long wireBytes() {
    return results * (long) sumsPerResult * 4 * parameters;
  }

  /**
   * The least heap the driver needs at a step's merge: the results read as doubles (merged into
   * the first one's arrays) and what the run keeps from step to step.
   */
  public long heapBytes() {
    return 8L * results * sumsPerResult * parameters + DRIVER_BYTES_PER_PARAMETER * parameters;
  }

  /**
   * Throws a {@link SettingsException} naming the setting to change when a step cannot fit:
   * a result limit the user set below {@link #wireBytes}, or a heap below {@link #heapBytes}.
   *
   * @param fanIn {@code run.merge-fan-in}, and {@code tasksSetting} {@code run.tasks-per-step} (0:
   *     Spark's default parallelism) giving {@code tasks}, for the advice
   */
  public void check(SparkConf conf, long maxHeap, int fanIn, int tasksSetting, int tasks) {
    String fewer = "or return fewer results per step (sparkrl.run.merge-fan-in = " + fanIn
        + ", sparkrl.run.tasks-per-step = " + tasksSetting + ": " + tasks + " tasks, "
        + results + " results reach the driver)";
    if (conf.contains(MAX_RESULT_SIZE)) {
      long limit = conf.getSizeAsBytes(MAX_RESULT_SIZE);
      if (limit > 0 && wireBytes() > limit) {
        throw new SettingsException(MAX_RESULT_SIZE, conf.get(MAX_RESULT_SIZE), "each step returns"
            + " at least " + size(wireBytes()) + " to the driver (" + describe(4) + "), more than"
            + " this limit: Spark would abort the first step once its tasks had run. Raise it to "
            + size(wireBytes()) + " or more (or leave it unset: the job then sets no limit and"
            + " checks the driver's heap instead), " + fewer);
      }
    }
    if (heapBytes() > maxHeap) {
      throw new SettingsException("spark.driver.memory", size(maxHeap) + " of heap",
          "the driver needs at least " + size(heapBytes()) + " of heap to merge a step's results ("
          + describe(8) + ", read as doubles and merged into the first, and the optimizer state,"
          + " mean gradient and parameters it keeps: " + DRIVER_BYTES_PER_PARAMETER
          + " bytes a parameter). Give"
          + " the driver more memory (--driver-memory in cluster deploy mode, SPARKRL_DRIVER_HEAP"
          + " with scripts/submit.sh in client mode, JAVA_OPTS=-Xmx... with scripts/reinforce.sh"
          + " and scripts/local-java.sh), " + fewer);
    }
  }

  /** One line for the run's log: what reaches the driver each step, and the least it needs. */
  public String summary() {
    return String.format(Locale.ROOT, "%d %s of %d gradient sum%s each: at least %s on the wire,"
        + " %s of driver heap", results, merged ? "merged results" : "task results",
        sumsPerResult, sumsPerResult > 1 ? "s" : "", size(wireBytes()), size(heapBytes()));
  }

  private String describe(int bytesPerEntry) {
    return String.format(Locale.ROOT, "%d %s of %d gradient sum%s x %d bytes x %,d parameters",
        results, merged ? "merged results" : "task results", sumsPerResult,
        sumsPerResult > 1 ? "s" : "", bytesPerEntry, parameters);
  }

  static String size(long bytes) {
    return bytes >= 1L << 30 ? String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30))
        : String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
  }
}
