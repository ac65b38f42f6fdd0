package io.sparkrl.job.corpus;

import io.sparkrl.job.config.JobSettings;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.util.LineReader;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * CSV and TSV: each file starts with a header row naming the columns; the prompt, answer and (for
 * sft) completion columns are found by the configured field names. Every file must have the same
 * header. Quoting follows {@link CsvLine}; a line with the wrong number of fields or an unclosed
 * quote is malformed.
 */
final class CsvFormat implements FormatReader {
  private final char delimiter;
  private final JobSettings.Corpus fields;
  private final RecordRules rules;

  CsvFormat(char delimiter, JobSettings.Corpus fields, RecordRules rules) {
    this.delimiter = delimiter;
    this.fields = fields;
    this.rules = rules;
  }

  @Override
  public void check(List<String> files, Configuration hadoop) {
    columns(files, hadoop);
  }

  @Override
  public JavaRDD<ParsedRecord> read(JavaSparkContext sc, List<String> files) {
    return TextLines.read(sc, files, new Parser(delimiter, columns(files, sc.hadoopConfiguration()),
        rules));
  }

  /** The header's width and the needed columns' indexes (-1: an optional column that is absent). */
  record Columns(int width, int prompt, int answer, int completion) implements java.io.Serializable {}

  private Columns columns(List<String> files, Configuration hadoop) {
    String first = header(files.get(0), hadoop);
    for (String file : files.subList(1, files.size())) {
      String h = header(file, hadoop);
      if (!h.equals(first)) {
        throw new CorpusException(file + ": header \"" + TextLines.shown(h) + "\" differs from "
            + files.get(0) + "'s \"" + TextLines.shown(first) + "\"; every file of a corpus needs "
            + "the same columns");
      }
    }
    List<String> names;
    try {
      names = CsvLine.split(first, delimiter);
    } catch (IllegalArgumentException e) {
      throw new CorpusException(files.get(0) + ": malformed header row: " + e.getMessage());
    }
    int prompt = index(names, fields.promptField(), "sparkrl.corpus.prompt-field", files.get(0));
    int answer = index(names, fields.answerField(), "sparkrl.corpus.answer-field", files.get(0));
    int completion = names.indexOf(fields.completionField());
    if (completion < 0 && rules.completionRequired()) {
      index(names, fields.completionField(), "sparkrl.corpus.completion-field", files.get(0));
    }
    return new Columns(names.size(), prompt, answer, completion);
  }

  private static int index(List<String> names, String name, String key, String file) {
    int i = names.indexOf(name);
    if (i < 0) {
      throw new CorpusException(file + ": the header row " + names + " has no column \"" + name
          + "\" (" + key + ")");
    }
    return i;
  }

  /** The first line of the file, without a byte-order mark; bytes that are not UTF-8 fail. */
  private static String header(String file, Configuration hadoop) {
    Path path = new Path(file);
    try (InputStream in = path.getFileSystem(hadoop).open(path)) {
      Text first = new Text();
      new LineReader(in, hadoop).readLine(first);
      String line = new Utf8().decode(first.getBytes(), first.getLength());
      return line.startsWith("\uFEFF") ? line.substring(1) : line;
    } catch (Utf8.Invalid e) {
      throw new CorpusException(file + ":1: the header row is not valid UTF-8 (byte " + e.index
          + ")", e);
    } catch (IOException e) {
      throw new CorpusException("cannot read the header row of " + file + ": " + e.getMessage(), e);
    }
  }

  static final class Parser implements TextLines.LineParser {
    private final char delimiter;
    private final Columns columns;
    private final RecordRules rules;

    Parser(char delimiter, Columns columns, RecordRules rules) {
      this.delimiter = delimiter;
      this.columns = columns;
      this.rules = rules;
    }

    @Override
    public ParsedRecord parse(TextLines.LineAt at, String line) {
      if (at.offset() == 0 || line.isBlank()) {
        return null; // the header row, checked on the driver
      }
      String location = at.where();
      List<String> values;
      try {
        values = CsvLine.split(line, delimiter);
      } catch (IllegalArgumentException e) {
        return ParsedRecord.malformed(location, e.getMessage() + ": " + TextLines.shown(line));
      }
      if (values.size() != columns.width()) {
        return ParsedRecord.malformed(location, values.size() + " fields where the header has "
            + columns.width() + ": " + TextLines.shown(line));
      }
      CorpusRow row = new CorpusRow(values.get(columns.prompt()), values.get(columns.answer()),
          columns.completion() < 0 ? null : values.get(columns.completion()));
      String problem = rules.problem(row);
      return problem == null ? ParsedRecord.good(row)
          : ParsedRecord.malformed(location, problem + ": " + TextLines.shown(line));
    }
  }
}
