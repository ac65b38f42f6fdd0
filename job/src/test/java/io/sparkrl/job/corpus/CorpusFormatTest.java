package io.sparkrl.job.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrl.settings.SettingsException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CorpusFormatTest {
  @ParameterizedTest
  @CsvSource({"hdfs://nn/d/part-0.jsonl, JSONL", "/d/x.JSON, JSONL", "s3a://b/p.parquet, PARQUET",
      "a.csv, CSV", "a.tsv, TSV", "prompts.txt, TEXT"})
  void extensionNamesTheFormat(String file, CorpusFormat format) {
    assertEquals(format, CorpusFormat.ofExtension(file));
    assertEquals(format, CorpusFormat.AUTO.resolve("d", List.of(file, file)));
  }

  @Test
  void unknownExtensionNamesKeyAndFile() {
    assertNull(CorpusFormat.ofExtension("/d/part-00000"));
    SettingsException e = assertThrows(SettingsException.class,
        () -> CorpusFormat.AUTO.resolve("/d", List.of("/d/a.jsonl", "/d/part-00000")));
    assertEquals(CorpusFormat.KEY, e.key());
    assertTrue(e.getMessage().contains("/d/part-00000"), e.getMessage());
  }

  @Test
  void mixedFormatsNameAFileOfEach() {
    SettingsException e = assertThrows(SettingsException.class,
        () -> CorpusFormat.AUTO.resolve("/d", List.of("/d/a.csv", "/d/b.jsonl", "/d/c.csv")));
    assertEquals(CorpusFormat.KEY, e.key());
    assertTrue(e.getMessage().contains("csv=/d/a.csv") && e.getMessage().contains("jsonl=/d/b.jsonl"),
        e.getMessage());
  }

  @Test
  void anExplicitFormatIgnoresExtensions() {
    assertEquals(CorpusFormat.CSV, CorpusFormat.CSV.resolve("/d", List.of("/d/part-00000")));
  }
}
