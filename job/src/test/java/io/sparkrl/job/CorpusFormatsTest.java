package io.sparkrl.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkrl.job.config.JobSettings;
import io.sparkrl.job.corpus.CorpusException;
import io.sparkrl.job.corpus.CorpusFormat;
import io.sparkrl.job.corpus.CorpusSource;
import io.sparkrl.job.corpus.LoadedCorpus;
import io.sparkrl.job.corpus.MalformedMode;
import io.sparkrl.job.corpus.RecordRules;
import io.sparkrl.step.PromptRecord;
import io.sparkrl.tokenizer.UnknownCharacterMode;
import io.sparkrl.tokenizer.Vocabulary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every corpus format, spread over three files (plus hidden and empty files that must be left
 * out), with a malformed record of every kind at a known place: {@code fail} names the first one's
 * file and position, {@code skip} counts them exactly and keeps every good record, with ids in
 * corpus order whatever the partitioning.
 */
class CorpusFormatsTest {
  static final JobSettings.Corpus FIELDS =
      new JobSettings.Corpus("", "", "prompt", "answer", "completion");
  static final int MAX_PROMPT = 40;
  static JavaSparkContext sc;

  enum Kind { GOOD, UNPARSABLE, MISSING_ANSWER, EMPTY, BLANK, LONG, UNKNOWN_CHAR }

  record Rec(Kind kind, String prompt, String answer) {}

  static Rec good(String prompt, String answer) {
    return new Rec(Kind.GOOD, prompt, answer);
  }

  static Rec bad(Kind kind) {
    return switch (kind) {
      case LONG -> new Rec(kind, "How much is " + "9".repeat(MAX_PROMPT) + "+1?", "1");
      case UNKNOWN_CHAR -> new Rec(kind, "How much is 5\u20ac5?", "10");
      case EMPTY -> new Rec(kind, "  ", "3");
      default -> new Rec(kind, "How much is 7+7?", "14");
    };
  }

  /** Three files; the first malformed record is the third record of a.*. */
  static final List<List<Rec>> FILES = List.of(
      List.of(good("How much is 1+1?", "2"), good("Say \"hi\", then 2+2?", "4"),
          bad(Kind.UNPARSABLE), good("How much is 3+3?", "6")),
      List.of(good("How much is 4+4?", "8"), bad(Kind.EMPTY), bad(Kind.BLANK),
          good("How much is 10+1?", "11"), bad(Kind.LONG)),
      List.of(bad(Kind.UNKNOWN_CHAR), good("How much is 2+3?", "5"), bad(Kind.MISSING_ANSWER),
          good("How much is 0+0?", "0")));

  static final List<String> GOOD_PROMPTS = FILES.stream().flatMap(List::stream)
      .filter(r -> r.kind() == Kind.GOOD).map(Rec::prompt).toList();

  /** The vocabulary of the good records: a fixed policy vocabulary without the euro sign. */
  static final Vocabulary VOCABULARY = Vocabulary.build(FILES.stream().flatMap(List::stream)
      .filter(r -> r.kind() == Kind.GOOD).map(r -> r.prompt() + r.answer()).toList());

  @BeforeAll
  static void start() {
    sc = LocalSpark.start("CorpusFormatsTest");
  }

  @AfterAll
  static void stop() {
    sc.close();
  }

  /** Plain text cannot be unparsable or lack an answer, and its blank lines are no records. */
  static Kind effective(CorpusFormat format, Kind kind) {
    if (format != CorpusFormat.TEXT) {
      return kind;
    }
    return switch (kind) {
      case UNPARSABLE -> Kind.LONG;
      case MISSING_ANSWER -> Kind.UNKNOWN_CHAR;
      case EMPTY -> Kind.BLANK;
      default -> kind;
    };
  }

  static long expectedMalformed(CorpusFormat format) {
    return FILES.stream().flatMap(List::stream).map(r -> effective(format, r.kind()))
        .filter(k -> k != Kind.GOOD && k != Kind.BLANK).count();
  }

  static String extension(CorpusFormat format) {
    return format == CorpusFormat.TEXT ? "txt" : format.setting();
  }

  /**
   * Writes the corpus into dir as a.EXT, b.EXT, c.EXT plus files to be left out (hidden, empty);
   * returns where the first malformed record is: "a.EXT:LINE (byte N)" or "a.parquet row N".
   */
  static String write(Path dir, CorpusFormat format) throws IOException {
    Files.createDirectories(dir);
    String ext = extension(format);
    String first = null;
    for (int f = 0; f < FILES.size(); f++) {
      String name = (char) ('a' + f) + "." + ext;
      String where = format == CorpusFormat.PARQUET ? writeParquet(dir.resolve(name), FILES.get(f))
          : writeLines(dir.resolve(name), format, FILES.get(f));
      if (first == null && where != null) {
        first = name + where;
      }
    }
    Files.writeString(dir.resolve("_SUCCESS"), "not a record");
    Files.writeString(dir.resolve("_hidden." + ext), "{{{ not a record");
    Files.writeString(dir.resolve("d-empty." + ext), "");
    return first;
  }

  private static String writeLines(Path file, CorpusFormat format, List<Rec> recs)
      throws IOException {
    char sep = format == CorpusFormat.TSV ? '\t' : ',';
    StringBuilder out = new StringBuilder();
    if (format == CorpusFormat.CSV || format == CorpusFormat.TSV) {
      out.append("id").append(sep).append("prompt").append(sep).append("answer\n");
    }
    String first = null;
    for (Rec r : recs) {
      Kind kind = effective(format, r.kind());
      if (first == null && kind != Kind.GOOD && kind != Kind.BLANK) {
        first = ":" + (out.chars().filter(c -> c == '\n').count() + 1) + " (byte "
            + out.toString().getBytes(StandardCharsets.UTF_8).length + ")";
      }
      out.append(line(format, sep, kind, kind == r.kind() ? r : bad(kind))).append('\n');
    }
    Files.writeString(file, out.toString());
    return first;
  }

  private static String line(CorpusFormat format, char sep, Kind kind, Rec r) throws IOException {
    ObjectMapper json = new ObjectMapper();
    if (kind == Kind.BLANK) {
      return "   ";
    }
    switch (format) {
      case TEXT:
        return r.prompt();
      case JSONL:
        if (kind == Kind.UNPARSABLE) {
          return "{\"prompt\": \"" + r.prompt() + "\",";
        }
        return kind == Kind.MISSING_ANSWER
            ? json.writeValueAsString(Map.of("prompt", r.prompt()))
            : json.writeValueAsString(Map.of("prompt", r.prompt(), "answer", r.answer()));
      default: // CSV, TSV: the prompt is always quoted, so it may hold the separator and quotes
        String prompt = "\"" + r.prompt().replace("\"", "\"\"") + "\"";
        if (kind == Kind.UNPARSABLE) {
          return "7" + sep + "\"" + r.prompt() + sep + r.answer();
        }
        return kind == Kind.MISSING_ANSWER ? "7" + sep + prompt
            : "7" + sep + prompt + sep + r.answer();
    }
  }

  private static String writeParquet(Path file, List<Rec> recs) throws IOException {
    MessageType schema = MessageTypeParser.parseMessageType("message corpus { optional binary id "
        + "(UTF8); optional binary prompt (UTF8); optional int32 answer; }");
    SimpleGroupFactory groups = new SimpleGroupFactory(schema);
    String first = null;
    int row = 0;
    try (ParquetWriter<Group> w = ExampleParquetWriter.builder(
        new org.apache.hadoop.fs.Path(file.toUri())).withType(schema)
        .withConf(new Configuration()).build()) {
      for (Rec r : recs) {
        if (r.kind() == Kind.BLANK) {
          continue;
        }
        row++;
        if (first == null && r.kind() != Kind.GOOD) {
          first = " row " + row;
        }
        Group g = groups.newGroup().append("id", "x" + row);
        if (r.kind() != Kind.UNPARSABLE) { // a null prompt
          g.append("prompt", r.prompt());
        }
        if (r.kind() != Kind.MISSING_ANSWER) {
          g.append("answer", Integer.parseInt(r.answer()));
        }
        w.write(g);
      }
    }
    return first;
  }

  static RecordRules rules(UnknownCharacterMode unknown) {
    return new RecordRules(false, MAX_PROMPT, VOCABULARY, unknown);
  }

  static LoadedCorpus load(String uri, MalformedMode mode, RecordRules rules) {
    return CorpusSource.resolve(uri, FIELDS, CorpusFormat.AUTO, rules, sc.hadoopConfiguration())
        .load(sc, mode);
  }

  static List<PromptRecord> prompts(LoadedCorpus corpus, int partitions) {
    List<PromptRecord> all = new ArrayList<>(corpus.prompts(partitions).collect());
    all.sort(Comparator.comparingLong(PromptRecord::id));
    return all;
  }

  @ParameterizedTest
  @EnumSource(value = CorpusFormat.class, names = {"JSONL", "PARQUET", "CSV", "TSV", "TEXT"})
  void skipCountsExactlyAndKeepsEveryGoodRecordInCorpusOrder(CorpusFormat format,
      @TempDir Path tmp) throws IOException {
    write(tmp, format);
    LoadedCorpus corpus = load(tmp.toString(), MalformedMode.SKIP,
        rules(UnknownCharacterMode.ERROR));
    assertEquals(expectedMalformed(format), corpus.malformed());
    List<PromptRecord> one = prompts(corpus, 0);
    List<PromptRecord> three = prompts(corpus, 3);
    assertEquals(GOOD_PROMPTS, one.stream().map(PromptRecord::prompt).toList());
    for (int i = 0; i < one.size(); i++) {
      assertEquals(i, one.get(i).id()); // ids are the index among good records, in corpus order
    }
    assertEquals(one, three);
    assertEquals(format == CorpusFormat.TEXT ? null : "2", one.get(0).reference());
    corpus.release();
  }

  @ParameterizedTest
  @EnumSource(value = CorpusFormat.class, names = {"JSONL", "PARQUET", "CSV", "TSV", "TEXT"})
  void failNamesTheFirstMalformedRecordsFileAndPosition(CorpusFormat format, @TempDir Path tmp)
      throws IOException {
    String first = write(tmp, format);
    String glob = tmp + "/*." + extension(format); // matches the hidden and the empty file too
    CorpusException e = assertThrows(CorpusException.class,
        () -> load(glob, MalformedMode.FAIL, rules(UnknownCharacterMode.ERROR)));
    assertTrue(e.getMessage().contains(tmp.toUri().getPath().replaceAll("/$", "") + "/" + first
        + ": "), first + " in " + e.getMessage());
    assertTrue(e.getMessage().contains("sparkrl.corpus.malformed = fail"), e.getMessage());
  }

  @Test
  void replaceMakesUnknownCharactersGoodAndAFreshVocabularyHasNone(@TempDir Path tmp)
      throws IOException {
    write(tmp, CorpusFormat.JSONL);
    long strict = expectedMalformed(CorpusFormat.JSONL);
    LoadedCorpus replace = load(tmp.toString(), MalformedMode.SKIP,
        rules(UnknownCharacterMode.REPLACE));
    assertEquals(strict - 1, replace.malformed());
    assertTrue(replace.rows().map(r -> r.prompt()).collect().contains(bad(Kind.UNKNOWN_CHAR).prompt()));
    LoadedCorpus fresh = load(tmp.toString(), MalformedMode.SKIP,
        new RecordRules(false, MAX_PROMPT, null, UnknownCharacterMode.ERROR));
    assertEquals(strict - 1, fresh.malformed());
  }

  @Test
  void eachMalformedKindIsReportedWithItsReason(@TempDir Path tmp) throws IOException {
    Map<String, String> firstLineOf = new TreeMap<>();
    for (Kind kind : List.of(Kind.EMPTY, Kind.LONG, Kind.UNKNOWN_CHAR, Kind.MISSING_ANSWER)) {
      Path dir = tmp.resolve(kind.name());
      Files.createDirectories(dir);
      ObjectMapper json = new ObjectMapper();
      Files.writeString(dir.resolve("x.jsonl"), json.writeValueAsString(Map.of("prompt",
          "How much is 1+1?", "answer", "2")) + "\n" + line(CorpusFormat.JSONL, ',', kind, bad(kind))
          + "\n");
      CorpusException e = assertThrows(CorpusException.class, () -> load(dir.toString(),
          MalformedMode.FAIL, rules(UnknownCharacterMode.ERROR)));
      firstLineOf.put(kind.name(), e.getMessage());
    }
    assertTrue(firstLineOf.get("EMPTY").contains("x.jsonl:2 (byte 43): empty prompt"),
        firstLineOf.get("EMPTY"));
    assertTrue(firstLineOf.get("LONG").contains("prompt of 55 characters, more than "
        + "sparkrl.policy.max-prompt-tokens = 40"), firstLineOf.get("LONG"));
    assertTrue(firstLineOf.get("UNKNOWN_CHAR").contains("prompt character '\u20ac' (U+20AC) at "
        + "index 13 is not in the policy's vocabulary"), firstLineOf.get("UNKNOWN_CHAR"));
    assertTrue(firstLineOf.get("MISSING_ANSWER").contains("missing field \"answer\""),
        firstLineOf.get("MISSING_ANSWER"));
  }

  @Test
  void csvHeaderWithoutTheColumnOrDifferingFailsBeforeAnyWork(@TempDir Path tmp)
      throws IOException {
    Files.writeString(tmp.resolve("a.csv"), "question,answer\n\"How much is 1+1?\",2\n");
    CorpusException e = assertThrows(CorpusException.class, () -> CorpusSource.resolve(
        tmp.toString(), FIELDS, CorpusFormat.AUTO, rules(UnknownCharacterMode.ERROR),
        new Configuration()));
    assertTrue(e.getMessage().contains("no column \"prompt\" (sparkrl.corpus.prompt-field)"),
        e.getMessage());
    Files.writeString(tmp.resolve("a.csv"), "prompt,answer\n\"How much is 1+1?\",2\n");
    Files.writeString(tmp.resolve("b.csv"), "answer,prompt\n2,\"How much is 1+1?\"\n");
    e = assertThrows(CorpusException.class, () -> CorpusSource.resolve(tmp.toString(), FIELDS,
        CorpusFormat.AUTO, rules(UnknownCharacterMode.ERROR), new Configuration()));
    assertTrue(e.getMessage().contains("b.csv: header \"answer,prompt\" differs"), e.getMessage());
  }

  @Test
  void parquetWithoutTheAnswerColumnFailsBeforeAnyWork(@TempDir Path tmp) throws IOException {
    MessageType schema = MessageTypeParser.parseMessageType(
        "message corpus { required binary prompt (UTF8); }");
    try (ParquetWriter<Group> w = ExampleParquetWriter.builder(new org.apache.hadoop.fs.Path(
        tmp.resolve("a.parquet").toUri())).withType(schema).build()) {
      w.write(new SimpleGroupFactory(schema).newGroup().append("prompt", "How much is 1+1?"));
    }
    CorpusException e = assertThrows(CorpusException.class, () -> CorpusSource.resolve(
        tmp.toString(), FIELDS, CorpusFormat.AUTO, rules(UnknownCharacterMode.ERROR),
        new Configuration()));
    assertTrue(e.getMessage().contains("a.parquet: the Parquet schema has no column \"answer\""),
        e.getMessage());
  }
}
