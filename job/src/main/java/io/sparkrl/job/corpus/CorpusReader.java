package io.sparkrl.job.corpus;

import io.sparkrl.step.PromptRecord;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapreduce.InputSplit;
import org.apache.hadoop.mapreduce.lib.input.FileSplit;
import org.apache.hadoop.mapreduce.lib.input.TextInputFormat;
import org.apache.spark.api.java.JavaNewHadoopRDD;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.api.java.function.Function;
import scala.Tuple2;

/**
 * Reads a JSON Lines corpus from any Hadoop URI into an RDD of prompts. A row's id is its index in
 * the corpus (files in name order, lines in file order), so it is the same however the data is
 * partitioned; the rows stay on the executors and never pass through the driver.
 */
public final class CorpusReader {
  private CorpusReader() {}

  /** Fails, before any Spark work, when the path matches no non-empty file. */
  public static void checkExists(String uri, Configuration hadoop) {
    try {
      Path path = new Path(uri);
      FileSystem fs = path.getFileSystem(hadoop);
      FileStatus[] matches = fs.globStatus(path);
      if (matches == null || matches.length == 0) {
        throw new CorpusException("corpus path " + uri + " does not exist (resolved to "
            + fs.makeQualified(path) + ")");
      }
      long bytes = 0;
      for (FileStatus m : matches) {
        bytes += fs.getContentSummary(m.getPath()).getLength();
      }
      if (bytes == 0) {
        throw new CorpusException("corpus path " + uri + " holds no data");
      }
    } catch (IOException e) {
      throw new CorpusException("cannot read corpus path " + uri + ": " + e.getMessage(), e);
    }
  }

  /** The corpus as prompts with ids, repartitioned to {@code partitions} (0 = unchanged). */
  public static JavaRDD<PromptRecord> read(JavaSparkContext sc, String uri, JsonLines format,
      int partitions) {
    JavaRDD<CorpusRow> rows = rows(sc, uri, format);
    JavaRDD<PromptRecord> prompts = rows.zipWithIndex().map(new ToPrompt());
    return partitions > 0 ? prompts.repartition(partitions) : prompts;
  }

  /** The parsed rows in corpus order (files by name, lines in order). */
  public static JavaRDD<CorpusRow> rows(JavaSparkContext sc, String uri, JsonLines format) {
    Configuration conf = sc.hadoopConfiguration();
    JavaPairRDD<LongWritable, Text> lines = sc.newAPIHadoopFile(uri, TextInputFormat.class,
        LongWritable.class, Text.class, conf);
    @SuppressWarnings("unchecked")
    JavaNewHadoopRDD<LongWritable, Text> hadoop = (JavaNewHadoopRDD<LongWritable, Text>) lines;
    return hadoop.mapPartitionsWithInputSplit(new ParseSplit(format), true);
  }

  /** Parses a split's lines; errors name the file and the line's byte offset. */
  static final class ParseSplit
      implements Function2<InputSplit, Iterator<Tuple2<LongWritable, Text>>, Iterator<CorpusRow>> {
    private final JsonLines format;

    ParseSplit(JsonLines format) {
      this.format = format;
    }

    @Override
    public Iterator<CorpusRow> call(InputSplit split, Iterator<Tuple2<LongWritable, Text>> it) {
      String file = split instanceof FileSplit fs ? fs.getPath().toString() : split.toString();
      List<CorpusRow> out = new ArrayList<>();
      while (it.hasNext()) {
        Tuple2<LongWritable, Text> line = it.next();
        CorpusRow row = format.parse(line._2().toString(), file, line._1().get());
        if (row != null) {
          out.add(row);
        }
      }
      return out.iterator();
    }
  }

  static final class ToPrompt implements Function<Tuple2<CorpusRow, Long>, PromptRecord> {
    @Override
    public PromptRecord call(Tuple2<CorpusRow, Long> t) {
      return new PromptRecord(t._2(), t._1().prompt(), t._1().answer());
    }
  }
}
