package io.sparkrl.job.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MetricsCsvTest {
  static final List<String> COLUMNS = List.of("step", "phase", "reward_mean",
      "reward_functions.format", "phases.tasks_ms");

  static Map<String, Object> record(long step, double reward) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("step", step);
    r.put("reward_mean", reward);
    r.put("reward_functions", Map.of("format", reward / 2));
    r.put("phases", Map.of("tasks_ms", 10.0 + step));
    return r;
  }

  static org.apache.hadoop.fs.Path file(Path dir) {
    return new org.apache.hadoop.fs.Path(dir.resolve("metrics.csv").toUri());
  }

  static FileSystem fs() throws Exception {
    return FileSystem.getLocal(new Configuration());
  }

  @ParameterizedTest(name = "[{index}] cell <{0}>")
  @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
      "plain | plain",
      "a,b | \"a,b\"",
      "say \"hi\" | \"say \"\"hi\"\"\"",
      "'' | ''"})
  void quotesOnlyWhatNeedsQuotingAndParsesBack(String cell, String written) {
    String line = MetricsCsv.line(List.of("1", cell, "x"));
    assertEquals("1," + written + ",x", line);
    assertEquals(List.of("1", cell, "x"), MetricsCsv.parse(line));
  }

  @Test
  void rowsFollowTheHeaderWithAbsentValuesEmpty(@TempDir Path dir) throws Exception {
    try (MetricsCsv csv = MetricsCsv.open(fs(), file(dir), COLUMNS, 0)) {
      csv.append(record(0, 0.25));
      csv.append(Map.of("step", 0, "phase", "initial"));
    }
    List<String> lines = Files.readAllLines(dir.resolve("metrics.csv"));
    assertEquals(List.of(String.join(",", COLUMNS), "0,,0.25,0.125,10.0", "0,initial,,,"), lines);
  }

  @Test
  void aFieldWithoutAColumnIsAnError(@TempDir Path dir) throws Exception {
    try (MetricsCsv csv = MetricsCsv.open(fs(), file(dir), COLUMNS, 0)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> csv.append(Map.of("step", 1, "surprise", 2)));
      assertTrue(e.getMessage().contains("surprise"), e.getMessage());
    }
  }

  @Test
  void resumeKeepsEarlierRowsUnderOneHeader(@TempDir Path dir) throws Exception {
    try (MetricsCsv csv = MetricsCsv.open(fs(), file(dir), COLUMNS, 0)) {
      for (int s = 0; s < 4; s++) {
        csv.append(record(s, s / 10.0));
      }
    }
    // killed after step 3's row; resumed from the checkpoint of step 2
    try (MetricsCsv csv = MetricsCsv.open(fs(), file(dir), COLUMNS, 2)) {
      csv.append(record(2, 0.9));
    }
    List<String> lines = Files.readAllLines(dir.resolve("metrics.csv"));
    assertEquals(4, lines.size(), String.join("\n", lines));
    assertEquals(String.join(",", COLUMNS), lines.get(0));
    assertEquals(1, lines.stream().filter(l -> l.startsWith("step,")).count());
    assertEquals(List.of("0", "1", "2"), lines.subList(1, 4).stream()
        .map(l -> MetricsCsv.parse(l).get(0)).toList());
    assertEquals("0.9", MetricsCsv.parse(lines.get(3)).get(2));
  }

  @Test
  void resumeUnderNewColumnsCarriesOldRowsOverByName(@TempDir Path dir) throws Exception {
    try (MetricsCsv csv = MetricsCsv.open(fs(), file(dir), COLUMNS, 0)) {
      csv.append(record(0, 0.5));
    }
    List<String> wider = List.of("step", "phase", "kl", "reward_mean", "reward_functions.format",
        "phases.tasks_ms");
    MetricsCsv.open(fs(), file(dir), wider, 1).close();
    List<String> lines = Files.readAllLines(dir.resolve("metrics.csv"));
    assertEquals(List.of(String.join(",", wider), "0,,,0.5,0.25,10.0"), lines);
  }
}
