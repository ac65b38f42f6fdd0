package io.sparkrl.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrl.job.corpus.CorpusException;
import io.sparkrl.job.corpus.CorpusFormat;
import io.sparkrl.job.corpus.CorpusSource;
import io.sparkrl.job.corpus.LoadedCorpus;
import io.sparkrl.job.corpus.MalformedMode;
import io.sparkrl.job.corpus.RecordRules;
import io.sparkrl.step.PromptRecord;
import io.sparkrl.tokenizer.UnknownCharacterMode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.io.api.Binary;
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
 * Nothing wrong gets in: bytes that are not UTF-8 make a record malformed in every format (they
 * used to be decoded to U+FFFD and trained on), and a malformed line is named by file and line
 * number, also in a split that starts in the middle of a large file.
 */
class CorpusIntegrityTest {
  /** "How much is 9" + 0xFF 0xFE + "?": not UTF-8. */
  static final byte[] BAD_PROMPT = concat("How much is 9".getBytes(StandardCharsets.UTF_8),
      new byte[] {(byte) 0xFF, (byte) 0xFE}, "?".getBytes(StandardCharsets.UTF_8));
  static final List<String> GOOD = List.of("How much is 1+1?", "How much is 2+2?");
  static JavaSparkContext sc;

  @BeforeAll
  static void start() {
    sc = LocalSpark.start("CorpusIntegrityTest");
  }

  @AfterAll
  static void stop() {
    sc.close();
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  static LoadedCorpus load(String uri, MalformedMode mode) {
    return CorpusSource.resolve(uri, CorpusFormatsTest.FIELDS, CorpusFormat.AUTO,
        new RecordRules(false, 64, null, UnknownCharacterMode.ERROR), sc.hadoopConfiguration())
        .load(sc, mode);
  }

  /** A good record, the bad one, a good one; returns where the bad one is. */
  static String write(Path dir, CorpusFormat format) throws IOException {
    Files.createDirectories(dir);
    String name = "a." + CorpusFormatsTest.extension(format);
    Path file = dir.resolve(name);
    if (format == CorpusFormat.PARQUET) {
      MessageType schema = MessageTypeParser.parseMessageType(
          "message corpus { optional binary prompt (UTF8); optional int32 answer; }");
      SimpleGroupFactory groups = new SimpleGroupFactory(schema);
      try (ParquetWriter<org.apache.parquet.example.data.Group> w = ExampleParquetWriter.builder(
          new org.apache.hadoop.fs.Path(file.toUri())).withType(schema)
          .withConf(new Configuration()).build()) {
        w.write(groups.newGroup().append("prompt", GOOD.get(0)).append("answer", 2));
        w.write(groups.newGroup().append("prompt", Binary.fromConstantByteArray(BAD_PROMPT))
            .append("answer", 18));
        w.write(groups.newGroup().append("prompt", GOOD.get(1)).append("answer", 4));
      }
      return name + " row 2: invalid UTF-8 (byte 13 of the \"prompt\" value)";
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    String header = switch (format) {
      case CSV -> "prompt,answer\n";
      case TSV -> "prompt\tanswer\n";
      default -> "";
    };
    out.writeBytes(header.getBytes(StandardCharsets.UTF_8));
    out.writeBytes(line(format, GOOD.get(0).getBytes(StandardCharsets.UTF_8), "2"));
    int offset = out.size();
    int line = header.isEmpty() ? 2 : 3;
    byte[] bad = line(format, BAD_PROMPT, "18");
    out.writeBytes(bad);
    out.writeBytes(line(format, GOOD.get(1).getBytes(StandardCharsets.UTF_8), "4"));
    Files.write(file, out.toByteArray());
    int badByte = indexOf(bad, (byte) 0xFF);
    return name + ":" + line + " (byte " + offset + "): invalid UTF-8 (byte " + badByte
        + " of the line)";
  }

  static byte[] line(CorpusFormat format, byte[] prompt, String answer) {
    byte[] end = switch (format) {
      case JSONL -> ("\",\"answer\":\"" + answer + "\"}\n").getBytes(StandardCharsets.UTF_8);
      case CSV -> ("\"," + answer + "\n").getBytes(StandardCharsets.UTF_8);
      case TSV -> ("\"\t" + answer + "\n").getBytes(StandardCharsets.UTF_8);
      default -> "\n".getBytes(StandardCharsets.UTF_8);
    };
    byte[] start = (format == CorpusFormat.JSONL ? "{\"prompt\":\""
        : format == CorpusFormat.TEXT ? "" : "\"").getBytes(StandardCharsets.UTF_8);
    return concat(start, prompt, end);
  }

  static int indexOf(byte[] bytes, byte b) {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    throw new IllegalArgumentException();
  }

  @ParameterizedTest
  @EnumSource(value = CorpusFormat.class, names = {"JSONL", "CSV", "TSV", "TEXT", "PARQUET"})
  void invalidUtf8IsMalformedNamedUnderFailAndCountedUnderSkip(CorpusFormat format,
      @TempDir Path tmp) throws IOException {
    String where = write(tmp, format);
    CorpusException e = assertThrows(CorpusException.class,
        () -> load(tmp.toString(), MalformedMode.FAIL));
    assertTrue(e.getMessage().contains(tmp.toUri().getPath().replaceAll("/$", "") + "/" + where),
        where + " in " + e.getMessage());

    LoadedCorpus corpus = load(tmp.toString(), MalformedMode.SKIP);
    assertEquals(1, corpus.malformed());
    List<String> prompts = corpus.prompts(0).collect().stream().map(PromptRecord::prompt).toList();
    assertEquals(GOOD, prompts.stream().sorted().toList());
    assertFalse(prompts.stream().anyMatch(p -> p.indexOf('\uFFFD') >= 0), prompts.toString());
    corpus.release();
  }

  @Test
  void csvHeaderThatIsNotUtf8FailsBeforeAnyWork(@TempDir Path tmp) throws IOException {
    Files.write(tmp.resolve("a.csv"), concat(BAD_PROMPT, ",answer\n\"x\",1\n"
        .getBytes(StandardCharsets.UTF_8)));
    CorpusException e = assertThrows(CorpusException.class, () -> CorpusSource.resolve(
        tmp.toString(), CorpusFormatsTest.FIELDS, CorpusFormat.AUTO,
        new RecordRules(false, 64, null, UnknownCharacterMode.ERROR), new Configuration()));
    assertTrue(e.getMessage().contains("a.csv:1: the header row is not valid UTF-8"),
        e.getMessage());
  }

  /**
   * A large file read in many splits: the malformed line is in a split that starts deep inside
   * the file, and is still named by its line number, as {@code sed -n 1500p} would find it.
   */
  @Test
  void malformedLineInALaterSplitIsNamedByLineNumber(@TempDir Path tmp) throws IOException {
    StringBuilder out = new StringBuilder();
    long offset = -1;
    for (int line = 1; line <= 2000; line++) {
      if (line == 1500) {
        offset = out.toString().getBytes(StandardCharsets.UTF_8).length;
        out.append("{\"prompt\":\"How much is 7+7?\"}\n");
      } else {
        out.append("{\"prompt\":\"How much is ").append(line).append("+0?\",\"answer\":\"")
            .append(line).append("\"}\n");
      }
    }
    Files.writeString(tmp.resolve("big.jsonl"), out.toString());
    String key = "mapreduce.input.fileinputformat.split.maxsize";
    sc.hadoopConfiguration().setLong(key, 4096);
    try {
      CorpusException e = assertThrows(CorpusException.class,
          () -> load(tmp.toString(), MalformedMode.FAIL));
      assertTrue(e.getMessage().contains("big.jsonl:1500 (byte " + offset + "): missing field "
          + "\"answer\""), e.getMessage());
      assertTrue(offset > 4096 * 10, "the line is in a later split: " + offset);
    } finally {
      sc.hadoopConfiguration().unset(key);
    }
  }
}
