package io.sparkrl.job.corpus;

import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/** One corpus format: what the driver checks before any work, and how tasks parse its files. */
interface FormatReader {
  /**
   * On the driver, before any Spark work: fails with a {@link CorpusException} naming the file when
   * one cannot hold this format's records (a header or schema without a needed column).
   */
  default void check(List<String> files, Configuration hadoop) {
    // formats without a header or schema (JSON Lines, plain text): nothing to check up front
  }

  /**
   * Every record of the files (which passed {@link #check}), parsed and checked against the rules
   * in tasks, in corpus order:
   * partitions follow the files' order, records their position in the file.
   */
  JavaRDD<ParsedRecord> read(JavaSparkContext sc, List<String> files);
}
