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
 * order (splits of large files run in parallel), each line handed to the format's parser with its
 * file and byte offset, so a malformed line's location can be named.
 */
final class TextLines {
  private TextLines() {}

  /** Parses one line; null when the line holds no record (a blank line, a header). */
  interface LineParser extends Serializable {
    ParsedRecord parse(String file, long offset, String line);
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
    return lines.mapPartitionsWithInputSplit(new ParseSplit(parser), true);
  }

  /** "FILE at byte N": where a line starts. */
  static String location(String file, long offset) {
    return file + " at byte " + offset;
  }

  /** The line as shown in an error: at most 120 characters. */
  static String shown(String line) {
    return line.length() > 120 ? line.substring(0, 117) + "..." : line;
  }

  static final class ParseSplit
      implements Function2<InputSplit, Iterator<Tuple2<LongWritable, Text>>, Iterator<ParsedRecord>> {
    private final LineParser parser;

    ParseSplit(LineParser parser) {
      this.parser = parser;
    }

    @Override
    public Iterator<ParsedRecord> call(InputSplit split, Iterator<Tuple2<LongWritable, Text>> it) {
      String file = split instanceof FileSplit fs ? fs.getPath().toString() : split.toString();
      List<ParsedRecord> out = new ArrayList<>();
      while (it.hasNext()) {
        Tuple2<LongWritable, Text> line = it.next();
        ParsedRecord r = parser.parse(file, line._1().get(), line._2().toString());
        if (r != null) {
          out.add(r);
        }
      }
      return out.iterator();
    }
  }
}
