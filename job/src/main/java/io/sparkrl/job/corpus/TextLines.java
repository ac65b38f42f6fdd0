package io.sparkrl.job.corpus;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapreduce.InputSplit;
import org.apache.hadoop.mapreduce.Job;
import org.apache.hadoop.mapreduce.lib.input.FileInputFormat;
import org.apache.hadoop.mapreduce.lib.input.FileSplit;
import org.apache.hadoop.mapreduce.lib.input.TextInputFormat;
import org.apache.spark.api.java.JavaNewHadoopRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import scala.Tuple2;

/**
 * The line-based formats' shared reading: Hadoop's TextInputFormat over the listed files, in their
 * order (splits of large files run in parallel), each line decoded as strict UTF-8 (bytes that are
 * not UTF-8 make the line malformed) and handed to the format's parser with where it is, so a
 * malformed line is named as {@code file:line (byte N)}.
 */
final class TextLines {
  private TextLines() {}

  /** Parses one line; null when the line holds no record (a blank line, a header). */
  interface LineParser extends Serializable {
    ParsedRecord parse(LineAt at, String line);
  }

  /** Where a line is: its byte offset, and its file and line number for naming it. */
  static final class LineAt {
    private final LineNumbers numbers;
    private final long index;
    private final long offset;

    LineAt(LineNumbers numbers, long index, long offset) {
      this.numbers = numbers;
      this.index = index;
      this.offset = offset;
    }

    long offset() {
      return offset;
    }

    /** "FILE:LINE (byte N)": the line number is counted only when asked for. */
    String where() {
      return numbers.where(index, offset);
    }
  }

  static JavaRDD<ParsedRecord> read(JavaSparkContext sc, List<String> files, LineParser parser) {
    Job job;
    try {
      job = Job.getInstance(sc.hadoopConfiguration());
      FileInputFormat.setInputPaths(job, files.stream().map(Path::new).toArray(Path[]::new));
    } catch (IOException e) {
      throw new CorpusException("cannot list corpus files " + files + ": " + e.getMessage(), e);
    }
    @SuppressWarnings("unchecked")
    JavaNewHadoopRDD<LongWritable, Text> lines = (JavaNewHadoopRDD<LongWritable, Text>)
        sc.newAPIHadoopRDD(job.getConfiguration(), TextInputFormat.class, LongWritable.class,
            Text.class);
    return lines.mapPartitionsWithInputSplit(
        new ParseSplit(parser, new HadoopConf(job.getConfiguration())), true);
  }

  /** The line as shown in an error: at most 120 characters. */
  static String shown(String line) {
    return line.length() > 120 ? line.substring(0, 117) + "..." : line;
  }

  static final class ParseSplit
      implements Function2<InputSplit, Iterator<Tuple2<LongWritable, Text>>, Iterator<ParsedRecord>> {
    private final LineParser parser;
    private final HadoopConf hadoop;

    ParseSplit(LineParser parser, HadoopConf hadoop) {
      this.parser = parser;
      this.hadoop = hadoop;
    }

    @Override
    public Iterator<ParsedRecord> call(InputSplit split, Iterator<Tuple2<LongWritable, Text>> it) {
      String file = split instanceof FileSplit fs ? fs.getPath().toString() : split.toString();
      long start = split instanceof FileSplit fs ? fs.getStart() : 0;
      LineNumbers numbers = new LineNumbers(file, start, hadoop.get());
      Utf8 utf8 = new Utf8();
      List<ParsedRecord> out = new ArrayList<>();
      long index = 0;
      while (it.hasNext()) {
        Tuple2<LongWritable, Text> line = it.next();
        long offset = line._1().get();
        numbers.seen(offset);
        LineAt at = new LineAt(numbers, index++, offset);
        Text bytes = line._2();
        ParsedRecord r;
        try {
          r = parser.parse(at, utf8.decode(bytes.getBytes(), bytes.getLength()));
        } catch (Utf8.Invalid e) {
          r = ParsedRecord.malformed(at.where(), Utf8.problem(e, "line") + ": "
              + shown(new String(bytes.getBytes(), 0, bytes.getLength(),
              java.nio.charset.StandardCharsets.UTF_8)));
        }
        if (r != null) {
          out.add(r);
        }
      }
      return out.iterator();
    }
  }
}
