package io.sparkrl.job.corpus;

import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Plain text: each non-blank line is a prompt, taken as it is; there is no reference answer or
 * completion, so rewards and evaluation that need one are refused up front.
 */
final class TextFormat implements FormatReader {
  private final Parser parser;

  TextFormat(RecordRules rules) {
    this.parser = new Parser(rules);
  }

  @Override
  public JavaRDD<ParsedRecord> read(JavaSparkContext sc, List<String> files) {
    return TextLines.read(sc, files, parser);
  }

  static final class Parser implements TextLines.LineParser {
    private final RecordRules rules;

    Parser(RecordRules rules) {
      this.rules = rules;
    }

    @Override
    public ParsedRecord parse(TextLines.LineAt at, String line) {
      if (line.isBlank()) {
        return null;
      }
      CorpusRow row = new CorpusRow(line, null, null);
      String problem = rules.problem(row);
      return problem == null ? ParsedRecord.good(row)
          : ParsedRecord.malformed(at.where(), problem + ": " + TextLines.shown(line));
    }
  }
}
