package io.sparkrl.job.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JsonLinesTest {
  static final JsonLines FORMAT = new JsonLines("q", "a", "c", false);

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"q\":\"How much is 1+1?\",\"a\":\"2\"} | How much is 1+1? | 2",
      "{\"q\":\"x\",\"a\":19,\"c\":\"The answer is 19.\"} | x | 19"})
  void parsesRows(String line, String prompt, String answer) {
    CorpusRow row = FORMAT.parse(line);
    assertEquals(prompt, row.prompt());
    assertEquals(answer, row.answer());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"q\":\"x\"} | missing field \"a\"",
      "{\"a\":\"1\"} | missing field \"q\"",
      "{\"q\":\"x\", | not valid JSON",
      "[1,2] | not a JSON object",
      "{\"q\":{\"n\":1},\"a\":\"1\"} | field \"q\" must be a string or a number"})
  void errorsNameTheProblemAndShowTheLine(String line, String problem) {
    CorpusException e = assertThrows(CorpusException.class, () -> FORMAT.parse(line));
    assertTrue(e.getMessage().startsWith(problem), e.getMessage());
    assertTrue(e.getMessage().endsWith(": " + line), e.getMessage());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {"{\"q\":\"x\",\"a\":\"1\"}"})
  void completionRequiredForSft(String line) {
    assertNull(FORMAT.parse(line).completion());
    JsonLines sft = new JsonLines("q", "a", "c", true);
    CorpusException e = assertThrows(CorpusException.class, () -> sft.parse(line));
    assertTrue(e.getMessage().contains("missing field \"c\""));
    assertNull(FORMAT.parse("   "));
  }
}
