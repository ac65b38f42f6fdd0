package io.sparkrl.job.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class CsvLineTest {
  @Test
  void splitsPlainAndQuotedFields() {
    assertEquals(List.of("a", "b", "c"), CsvLine.split("a,b,c", ','));
    assertEquals(List.of("How much is 1,2?", "3"), CsvLine.split("\"How much is 1,2?\",3", ','));
    assertEquals(List.of("say \"hi\"", "x"), CsvLine.split("\"say \"\"hi\"\"\",x", ','));
    assertEquals(List.of("", "", ""), CsvLine.split(",,", ','));
    assertEquals(List.of("a", ""), CsvLine.split("a,\"\"", ','));
    assertEquals(List.of("it's 5\" long", "y"), CsvLine.split("it's 5\" long,y", ','));
    assertEquals(List.of("a,b", "c\td"), CsvLine.split("a,b\t\"c\td\"", '\t'));
  }

  @Test
  void unterminatedQuoteNamesFieldAndCharacter() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> CsvLine.split("1,\"How much is 2+2?,4", ','));
    assertTrue(e.getMessage().contains("unterminated quoted field 2"), e.getMessage());
    assertTrue(e.getMessage().contains("character 3"), e.getMessage());
  }

  @Test
  void textAfterClosingQuoteIsAnError() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> CsvLine.split("\"a\"b,c", ','));
    assertTrue(e.getMessage().contains("after the closing quote of field 1 at character 4"),
        e.getMessage());
  }
}
