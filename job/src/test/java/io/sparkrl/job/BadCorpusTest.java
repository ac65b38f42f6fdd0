package io.sparkrl.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrl.job.corpus.CorpusFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A malformed corpus stops the job with exit code 2 (bad input), naming the file and the first
 * malformed record's position; a corpus format that cannot serve the command is refused before
 * Spark starts; with {@code corpus.malformed = skip} the job trains on the good records.
 */
class BadCorpusTest {
  @BeforeEach
  void localSpark() {
    System.setProperty("spark.master", "local[2]");
    System.setProperty("spark.ui.enabled", "false");
  }

  @AfterEach
  void clear() {
    System.clearProperty("spark.master");
    System.clearProperty("spark.ui.enabled");
  }

  @Test
  void malformedLineExitsTwoNamingFileLineAndOffset(@TempDir Path tmp) throws Exception {
    Path corpus = tmp.resolve("train.jsonl");
    String good = "{\"prompt\":\"How much is 1+1?\",\"answer\":\"2\"}\n";
    Files.writeString(corpus, good + good + "{\"prompt\":\"How much is 2+2?\"}\n" + good);
    var o = MainConfigurationTest.run("reinforce", "corpus.train=\"" + corpus + "\"",
        "corpus.eval=\"\"", "run.dir=\"" + tmp.resolve("run") + "\"",
        "run.prompts-per-step=2");
    assertEquals(2, o.code(), o.stderr());
    assertTrue(o.stderr().contains(corpus.getFileName().toString()), o.stderr());
    assertTrue(o.stderr().contains("train.jsonl:3 (byte " + 2 * good.length() + ")"), o.stderr());
    assertTrue(o.stderr().contains("missing field \"answer\""), o.stderr());
    assertFalse(Files.exists(tmp.resolve("run/_SUCCESS")));
  }

  @ParameterizedTest
  @EnumSource(value = CorpusFormat.class, names = {"PARQUET", "CSV", "TSV", "TEXT"})
  void eachFormatsFirstMalformedRecordExitsTwoNamingFileAndPosition(CorpusFormat format,
      @TempDir Path tmp) throws Exception {
    String first = CorpusFormatsTest.write(tmp.resolve("corpus"), format);
    var o = MainConfigurationTest.run("reinforce", "corpus.train=\"" + tmp.resolve("corpus") + "\"",
        "corpus.eval=\"\"", "run.dir=\"" + tmp.resolve("run") + "\"", "run.prompts-per-step=2",
        "policy.max-prompt-tokens=" + CorpusFormatsTest.MAX_PROMPT,
        "reward.functions=[{name=format,weight=1}]");
    assertEquals(Main.BAD_INPUT, o.code(), o.stderr());
    assertTrue(o.stderr().startsWith("input error: malformed record in corpus"), o.stderr());
    assertTrue(o.stderr().contains("/corpus/" + first + ": "), first + " in " + o.stderr());
    assertFalse(Files.exists(tmp.resolve("run/_SUCCESS")));
  }

  @Test
  void skipTrainsOnTheGoodPlainTextPrompts(@TempDir Path tmp) throws Exception {
    CorpusFormatsTest.write(tmp.resolve("corpus"), CorpusFormat.TEXT);
    var o = MainConfigurationTest.run("reinforce", "corpus.train=\"" + tmp.resolve("corpus") + "\"",
        "corpus.eval=\"\"", "corpus.malformed=skip", "run.dir=\"" + tmp.resolve("run") + "\"",
        "run.prompts-per-step=4", "run.steps=1", "sampling.group-size=2",
        "sampling.max-new-tokens=4", "policy.hidden-size=8", "policy.embedding-size=4",
        "policy.max-prompt-tokens=" + CorpusFormatsTest.MAX_PROMPT,
        "reward.functions=[{name=format,weight=1},{name=length-penalty,weight=1}]");
    assertEquals(Main.OK, o.code(), o.stderr());
    assertTrue(Files.exists(tmp.resolve("run/_SUCCESS")));
    String metrics = Files.readString(tmp.resolve("run/metrics.jsonl"));
    assertTrue(metrics.contains("\"prompts\":4,\"completions\":8,"), metrics); // one step ran
    // summary.json reports how many records were left out, exactly. The policy is fresh, so its
    // vocabulary is built from the corpus and no character is unknown: only too-long prompts are
    // malformed, and blank lines are no records.
    var summary = new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(tmp.resolve("run/summary.json").toFile());
    var kinds = CorpusFormatsTest.FILES.stream().flatMap(java.util.List::stream)
        .map(r -> CorpusFormatsTest.effective(CorpusFormat.TEXT, r.kind())).toList();
    long tooLong = kinds.stream().filter(k -> k == CorpusFormatsTest.Kind.LONG).count();
    long records = kinds.stream().filter(k -> k != CorpusFormatsTest.Kind.BLANK).count();
    assertEquals(2, tooLong);
    assertEquals(tooLong, summary.get("malformed_records").asLong(), summary.toString());
    assertEquals(records - tooLong, summary.get("corpus_prompts").asLong(), summary.toString());
  }

  @Test
  void plainTextIsRefusedUpFrontWhereAReferenceIsNeeded(@TempDir Path tmp) throws Exception {
    Path text = tmp.resolve("prompts.txt");
    Files.writeString(text, "How much is 1+1?\nHow much is 2+2?\n");
    Path jsonl = tmp.resolve("eval.jsonl");
    Files.writeString(jsonl, "{\"prompt\":\"How much is 1+1?\",\"answer\":\"2\"}\n");
    String run = "run.dir=\"" + tmp.resolve("run") + "\"";

    var answerMatch = MainConfigurationTest.run("reinforce", "corpus.train=\"" + text + "\"",
        "corpus.eval=\"" + jsonl + "\"", run);
    assertEquals(Main.BAD_CONFIGURATION, answerMatch.code(), answerMatch.stderr());
    // contains, not startsWith: the first Spark class loaded in a JVM may log its hostname warning
    assertTrue(answerMatch.stderr().contains("configuration error: sparkrl.reward.functions = "
        + "\"answer-match\""), answerMatch.stderr());
    assertTrue(answerMatch.stderr().contains("sparkrl.corpus.format = text"), answerMatch.stderr());

    var sft = MainConfigurationTest.run("sft", "corpus.train=\"" + text + "\"", "corpus.eval=\"\"",
        run);
    assertEquals(Main.BAD_CONFIGURATION, sft.code(), sft.stderr());
    assertTrue(sft.stderr().contains("sparkrl.corpus.format = \"text\""), sft.stderr());
    assertTrue(sft.stderr().contains("sparkrl.corpus.completion-field"), sft.stderr());

    var eval = MainConfigurationTest.run("reinforce", "corpus.train=\"" + jsonl + "\"",
        "corpus.eval=\"" + text + "\"", run);
    assertEquals(Main.BAD_CONFIGURATION, eval.code(), eval.stderr());
    assertTrue(eval.stderr().contains("sparkrl.corpus.eval = \"" + text + "\""), eval.stderr());

    var mixed = MainConfigurationTest.run("reinforce", "corpus.train=\"" + tmp + "/*\"",
        "corpus.eval=\"\"", run);
    assertEquals(Main.BAD_CONFIGURATION, mixed.code(), mixed.stderr());
    assertTrue(mixed.stderr().contains("sparkrl.corpus.format = \"auto\""), mixed.stderr());
    assertFalse(Files.exists(tmp.resolve("run")), "refused before the run directory was made");
  }
}
