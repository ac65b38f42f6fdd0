package io.sparkrl.job.config;

import com.typesafe.config.Config;
import io.sparkrl.job.corpus.CorpusFormat;
import io.sparkrl.job.corpus.MalformedMode;
import io.sparkrl.settings.Section;
import io.sparkrl.settings.SettingsException;
import java.io.Serializable;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The job's own settings ({@code sparkrl.run/corpus/eval/sft/arithmetic/programs/generate/monitor}),
 * read once and validated.
 */
public record JobSettings(Run run, Corpus corpus, Reading reading, Eval eval, Sft sft,
    Arithmetic arithmetic, Programs programs, Sorting sorting, String generateTask,
    Monitor monitor)
    implements Serializable {
  /** The bundled tasks {@code generate} can write ({@code sparkrl.generate.task}). */
  public static final java.util.Set<String> TASKS = java.util.Set.of("arithmetic", "programs", "sorting");

  /** The bundled program task: "Write a program for n." for n in [0, max-target]. */
  public record Programs(String dir, int maxTarget, double evalFraction, long seed)
      implements Serializable {}

  /** The bundled sorting task: "Sort the digits 52813." for count strings of length digits 1-9. */
  public record Sorting(String dir, int length, int count, double evalFraction, long seed)
      implements Serializable {}

  public record Run(String dir, long seed, int steps, int promptsPerStep, int partitions,
      String initPolicy, boolean resume, int checkpointEvery, int nativeThreadsPerTask,
      int keepCheckpoints, String initFrom, boolean carryOptimizer, int maxEpochs,
      java.time.Duration maxWallTime, int tasksPerStep, int prefetchPrompts, int mergeFanIn)
      implements Serializable {

    /** The last step of the run: {@code steps}, or fewer when {@code max-epochs} ends it first. */
    public long lastStep(long stepsPerEpoch) {
      return maxEpochs == 0 ? steps : Math.min(steps, maxEpochs * stepsPerEpoch);
    }
  }

  public record Corpus(String train, String eval, String promptField, String answerField,
      String completionField) implements Serializable {
    public boolean hasEval() {
      return !eval.isBlank();
    }
  }

  /** {@code sparkrl.monitor}: what a person watching the run gets (nothing here changes training). */
  public record Monitor(int completionsEvery, int completionsPrompts, String progress,
      boolean report) implements Serializable {
    /** Whether step {@code step} (0-based) of a run of {@code steps} steps logs completions. */
    public boolean logsCompletions(long step, long steps) {
      return completionsEvery > 0 && ((step + 1) % completionsEvery == 0 || step + 1 == steps);
    }
  }

  /**
   * How the corpus files are read: {@code sparkrl.corpus.format} and
   * {@code sparkrl.corpus.malformed}.
   */
  public record Reading(CorpusFormat format, MalformedMode malformed) implements Serializable {}

  /** @param samples the evaluate command's completions sampled per prompt (pass@1, pass@G) */
  public record Eval(int every, int maxNewTokens, int samples) implements Serializable {}

  /**
   * @param engine {@code auto}, {@code dl4j-spark} (LSTM only) or {@code gradient-sums}
   * @param batchSize examples per step of the gradient-sums engine
   * @param evalEverySteps gradient-sums: held-out accuracy also every this many steps (0: at the
   *     epochs' ends only)
   * @param stopAtAccuracy stop at the first held-out accuracy at or above this (0: never)
   */
  public record Sft(int epochs, int batchSizePerWorker, int averagingFrequency, double learningRate,
      double learningRateDecay, int maxExamples, String engine, int batchSize, int evalEverySteps,
      double stopAtAccuracy) implements Serializable {
    /** Whether the held-out accuracy decides when sft ends. */
    public boolean stopsAtAccuracy() {
      return stopAtAccuracy > 0;
    }

    /** The learning rate of epoch {@code epoch} (from 1). */
    public double learningRate(int epoch) {
      return learningRate * Math.pow(learningRateDecay, epoch - 1);
    }
  }

  public record Arithmetic(String dir, int maxOperand, int maxSecondOperand, double evalFraction,
      long seed, List<String> phrasings) implements Serializable {
    public Arithmetic {
      phrasings = List.copyOf(phrasings);
    }

    /** The largest second operand (max-second-operand = 0 means the first operand's range). */
    public int secondOperandLimit() {
      return maxSecondOperand == 0 ? maxOperand : maxSecondOperand;
    }
  }

  private static List<String> phrasings(Section arithmetic) {
    List<String> phrasings = arithmetic.stringList("phrasings");
    if (phrasings.isEmpty()) {
      throw new SettingsException(arithmetic.key("phrasings"), phrasings, "needs at least one phrasing");
    }
    for (String p : phrasings) {
      if (p.indexOf("%d") < 0 || p.indexOf("%d") != p.lastIndexOf("%d") || p.replace("%d", "").contains("%")) {
        throw new SettingsException(arithmetic.key("phrasings"), p,
            "each phrasing must contain %d exactly once and no other % sign");
      }
    }
    return phrasings;
  }

  private static Sorting sorting(Section sorting) {
    int length = sorting.intIn("length", 2, 18);
    int count = sorting.intIn("count", 2, 10_000_000);
    double possible = Math.pow(9, length);
    if (count > possible / 2) {
      throw new SettingsException(sorting.key("count"), count, "must be at most half of the "
          + (long) possible + " strings of " + length + " digits (drawing distinct ones)");
    }
    return new Sorting(sorting.nonEmptyString("dir"), length, count,
        sorting.doubleAbove("eval-fraction", 0, 0.999999), sorting.anyLong("seed"));
  }

  private static String initFrom(Section run) {
    String from = run.string("init-from").trim();
    if (!from.isEmpty() && !run.string("init-policy").isBlank()) {
      throw new SettingsException(run.key("init-from"), from, "cannot be combined with "
          + run.key("init-policy") + " (set one of them)");
    }
    return from;
  }

  public static JobSettings from(Config config) {
    Section run = new Section(config, "sparkrl.run");
    Section corpus = new Section(config, "sparkrl.corpus");
    Section eval = new Section(config, "sparkrl.eval");
    Section sft = new Section(config, "sparkrl.sft");
    Section arithmetic = new Section(config, "sparkrl.arithmetic");
    Section monitor = new Section(config, "sparkrl.monitor");
    Section programs = new Section(config, "sparkrl.programs");
    Section sorting = new Section(config, "sparkrl.sorting");
    return new JobSettings(
        new Run(run.nonEmptyString("dir"), run.anyLong("seed"), run.nonNegativeInt("steps"),
            run.intIn("prompts-per-step", 1, 100_000), run.nonNegativeInt("partitions"),
            run.string("init-policy").trim(), run.bool("resume"),
            run.nonNegativeInt("checkpoint-every"), run.intIn("native-threads-per-task", 1, 256),
            run.nonNegativeInt("keep-checkpoints"), initFrom(run),
            run.oneOf("init-from-optimizer", java.util.Set.of("fresh", "carry")).equals("carry"),
            run.nonNegativeInt("max-epochs"), run.nonNegativeDuration("max-wall-time"),
            run.nonNegativeInt("tasks-per-step"), run.intIn("prefetch-prompts", 1, 10_000_000),
            run.intIn("merge-fan-in", 2, 1024)),
        new Corpus(corpus.nonEmptyString("train"), corpus.string("eval").trim(),
            corpus.nonEmptyString("prompt-field"), corpus.nonEmptyString("answer-field"),
            corpus.nonEmptyString("completion-field")),
        new Reading(CorpusFormat.valueOf(corpus.oneOf("format",
            Set.of("auto", "jsonl", "parquet", "csv", "tsv", "text")).toUpperCase(Locale.ROOT)),
            MalformedMode.valueOf(corpus.oneOf("malformed", Set.of("fail", "skip"))
                .toUpperCase(Locale.ROOT))),
        new Eval(eval.nonNegativeInt("every"), eval.intIn("max-new-tokens", 1, 4096),
            eval.intIn("samples", 0, 1024)),
        new Sft(sft.intIn("epochs", 1, 100_000), sft.intIn("batch-size-per-worker", 1, 100_000),
            sft.intIn("averaging-frequency", 1, 100_000), sft.doubleAbove("learning-rate", 0, 10),
            sft.doubleAbove("learning-rate-decay", 0, 1), sft.nonNegativeInt("max-examples"),
            sft.oneOf("engine", java.util.Set.of("auto", "dl4j-spark", "gradient-sums")),
            sft.intIn("batch-size", 1, 1_000_000), sft.nonNegativeInt("eval-every-steps"),
            sft.doubleIn("stop-at-accuracy", 0, 1)),
        new Arithmetic(arithmetic.nonEmptyString("dir"), arithmetic.intIn("max-operand", 1, 100_000),
            arithmetic.intIn("max-second-operand", 0, 100_000), arithmetic.doubleAbove("eval-fraction", 0, 0.999999), arithmetic.anyLong("seed"),
            phrasings(arithmetic)),
        new Programs(programs.nonEmptyString("dir"), programs.intIn("max-target", 1, 1_000_000),
            programs.doubleAbove("eval-fraction", 0, 0.999999), programs.anyLong("seed")),
        sorting(sorting),
        new Section(config, "sparkrl.generate").oneOf("task", TASKS),
        new Monitor(monitor.nonNegativeInt("completions-every"),
            monitor.intIn("completions-prompts", 1, 1000),
            monitor.oneOf("progress", java.util.Set.of("auto", "terminal", "lines")),
            monitor.bool("report")));
  }
}
