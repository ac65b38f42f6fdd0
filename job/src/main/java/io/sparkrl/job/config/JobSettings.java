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

/** The job's own settings ({@code sparkrl.run/corpus/eval/sft/arithmetic}), read once and validated. */
public record JobSettings(Run run, Corpus corpus, Reading reading, Eval eval, Sft sft,
    Arithmetic arithmetic) implements Serializable {

  public record Run(String dir, long seed, int steps, int promptsPerStep, int partitions,
      String initPolicy, boolean resume, int checkpointEvery, int nativeThreadsPerTask)
      implements Serializable {}

  public record Corpus(String train, String eval, String promptField, String answerField,
      String completionField) implements Serializable {
    public boolean hasEval() {
      return !eval.isBlank();
    }
  }

  /**
   * How the corpus files are read: {@code sparkrl.corpus.format} and
   * {@code sparkrl.corpus.malformed}.
   */
  public record Reading(CorpusFormat format, MalformedMode malformed) implements Serializable {}

  public record Eval(int every, int maxNewTokens) implements Serializable {}

  public record Sft(int epochs, int batchSizePerWorker, int averagingFrequency, double learningRate,
      double learningRateDecay, int maxExamples) implements Serializable {
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

  public static JobSettings from(Config config) {
    Section run = new Section(config, "sparkrl.run");
    Section corpus = new Section(config, "sparkrl.corpus");
    Section eval = new Section(config, "sparkrl.eval");
    Section sft = new Section(config, "sparkrl.sft");
    Section arithmetic = new Section(config, "sparkrl.arithmetic");
    return new JobSettings(
        new Run(run.nonEmptyString("dir"), run.anyLong("seed"), run.nonNegativeInt("steps"),
            run.intIn("prompts-per-step", 1, 100_000), run.nonNegativeInt("partitions"),
            run.string("init-policy").trim(), run.bool("resume"),
            run.nonNegativeInt("checkpoint-every"), run.intIn("native-threads-per-task", 1, 256)),
        new Corpus(corpus.nonEmptyString("train"), corpus.string("eval").trim(),
            corpus.nonEmptyString("prompt-field"), corpus.nonEmptyString("answer-field"),
            corpus.nonEmptyString("completion-field")),
        new Reading(CorpusFormat.valueOf(corpus.oneOf("format",
            Set.of("auto", "jsonl", "parquet", "csv", "tsv", "text")).toUpperCase(Locale.ROOT)),
            MalformedMode.valueOf(corpus.oneOf("malformed", Set.of("fail", "skip"))
                .toUpperCase(Locale.ROOT))),
        new Eval(eval.nonNegativeInt("every"), eval.intIn("max-new-tokens", 1, 4096)),
        new Sft(sft.intIn("epochs", 1, 100_000), sft.intIn("batch-size-per-worker", 1, 100_000),
            sft.intIn("averaging-frequency", 1, 100_000), sft.doubleAbove("learning-rate", 0, 10),
            sft.doubleAbove("learning-rate-decay", 0, 1), sft.nonNegativeInt("max-examples")),
        new Arithmetic(arithmetic.nonEmptyString("dir"), arithmetic.intIn("max-operand", 1, 100_000),
            arithmetic.intIn("max-second-operand", 0, 100_000), arithmetic.doubleAbove("eval-fraction", 0, 0.999999), arithmetic.anyLong("seed"),
            phrasings(arithmetic)));
  }
}
