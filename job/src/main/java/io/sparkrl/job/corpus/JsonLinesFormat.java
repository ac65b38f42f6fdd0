package io.sparkrl.job.corpus;

import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/** JSON Lines: one object per line with the prompt, answer and (for sft) completion fields. */
final class JsonLinesFormat implements FormatReader {
  private final Parser parser;

  JsonLinesFormat(JsonLines json, RecordRules rules) {
    this.parser = new Parser(json, rules);
  }

  @Override
  public JavaRDD<ParsedRecord> read(JavaSparkContext sc, List<String> files) {
    return TextLines.read(sc, files, parser);
  }

  static final class Parser implements TextLines.LineParser {
    private final JsonLines json;
    private final RecordRules rules;

    Parser(JsonLines json, RecordRules rules) {
      this.json = json;
      this.rules = rules;
    }

    @Override
    public ParsedRecord parse(TextLines.LineAt at, String line) {
      CorpusRow row;
      try {
        row = json.parse(line);
      } catch (CorpusException e) {
        return ParsedRecord.malformed(at.where(), e.getMessage());
      }
      if (row == null) {
        return null;
      }
      String problem = rules.problem(row);
      return problem == null ? ParsedRecord.good(row)
          : ParsedRecord.malformed(at.where(), problem + ": " + TextLines.shown(line));
    }
  }
}
