package io.sparkrl.job.corpus;

import io.sparkrl.step.PromptRecord;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function;
import scala.Tuple2;

/**
 * A parsed corpus: its good records, in corpus order, and the number of malformed records left
 * out. The records stay on the executors; only counts reach the driver.
 */
public final class LoadedCorpus {
  private final String uri;
  private final JavaRDD<ParsedRecord> parsed;
  private final long malformed;

  LoadedCorpus(String uri, JavaRDD<ParsedRecord> parsed, long malformed) {
    this.uri = uri;
    this.parsed = parsed;
    this.malformed = malformed;
  }

  /** Malformed records left out (0 under {@code sparkrl.corpus.malformed = fail}). */
  public long malformed() {
    return malformed;
  }

  /** The good rows in corpus order (files by name, records by position). */
  public JavaRDD<CorpusRow> rows() {
    return parsed.filter(r -> !r.isMalformed()).map(ParsedRecord::row);
  }

  /**
   * The good rows as prompts, repartitioned to {@code partitions} (0 = unchanged). A prompt's id is
   * its index among the good rows in corpus order: the same however the data is partitioned.
   */
  public JavaRDD<PromptRecord> prompts(int partitions) {
    JavaRDD<PromptRecord> prompts = rows().zipWithIndex().map(new ToPrompt());
    return partitions > 0 ? prompts.repartition(partitions) : prompts;
  }

  /**
   * The good rows that have a reference completion, as SFT examples: a {@link PromptRecord} whose
   * {@code reference} is the completion, with the row's id as {@link #prompts} gives it (dense, as
   * the prompt schedule needs, when every row has a completion: sft requires them).
   * Repartitioned to {@code partitions} (0 = unchanged); at most {@code max} (0 = all), the first
   * in corpus order.
   */
  public JavaRDD<PromptRecord> examples(int partitions, int max) {
    JavaRDD<PromptRecord> examples = rows().zipWithIndex()
        .filter(t -> t._1().completion() != null && (max <= 0 || t._2() < max))
        .map(t -> new PromptRecord(t._2(), t._1().prompt(), t._1().completion()));
    return partitions > 0 ? examples.repartition(partitions) : examples;
  }

  /**
   * Drops the cached parsed records: call once what was derived from them is cached itself. Waits
   * until the executors have dropped them, so that training starts with that memory free (at 5
   * million prompts, ~200 MB of heap still held at the first step otherwise).
   */
  public void release() {
    parsed.unpersist(true);
  }

  @Override
  public String toString() {
    return "LoadedCorpus(" + uri + ", " + malformed + " malformed)";
  }

  static final class ToPrompt implements Function<Tuple2<CorpusRow, Long>, PromptRecord> {
    @Override
    public PromptRecord call(Tuple2<CorpusRow, Long> t) {
      return new PromptRecord(t._2(), t._1().prompt(), t._1().answer());
    }
  }
}
