package io.sparkrl.job.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkrl.job.config.JobConfig;
import io.sparkrl.job.config.JobSettings;
import io.sparkrl.settings.SettingsException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SortingTaskTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JobSettings settings(String... overrides) {
    return JobConfig.load(null, List.of(overrides)).job();
  }

  @Test
  void questionsAreDistinctDigitStringsAnsweredSortedAndTheSplitIsDisjoint() throws Exception {
    JobSettings s = settings("sorting.length=4", "sorting.count=500", "sorting.eval-fraction=0.1");
    ArithmeticTask.Split split = SortingTask.generate(s.sorting(), s.corpus());
    assertEquals(50, split.eval().size());
    assertEquals(450, split.train().size());
    Set<String> seen = new HashSet<>();
    for (String line : concat(split.eval(), split.train())) {
      JsonNode row = JSON.readTree(line);
      String prompt = row.get("prompt").asText();
      assertTrue(prompt.matches("Sort the digits [1-9]{4}\\."), prompt);
      String digits = prompt.substring("Sort the digits ".length(), prompt.length() - 1);
      assertTrue(seen.add(digits), "repeated question " + digits);
      char[] sorted = digits.toCharArray();
      java.util.Arrays.sort(sorted);
      assertEquals(new String(sorted), row.get("answer").asText());
      assertEquals("The answer is " + new String(sorted) + ".", row.get("completion").asText());
    }
    assertEquals(split, SortingTask.generate(s.sorting(), s.corpus()), "not reproducible");
    JobSettings other = settings("sorting.length=4", "sorting.count=500", "sorting.seed=8");
    assertNotEquals(split.train(), SortingTask.generate(other.sorting(), other.corpus()).train());
  }

  @Test
  void aCountBeyondHalfOfThePossibleStringsIsAConfigurationError() {
    SettingsException e = assertThrows(SettingsException.class,
        () -> settings("sorting.length=2", "sorting.count=41"));
    assertTrue(e.getMessage().contains("sparkrl.sorting.count"), e.getMessage());
    assertEquals(40, settings("sorting.length=2", "sorting.count=40").sorting().count());
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new java.util.ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
