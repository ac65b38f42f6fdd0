package io.sparkrl.reward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.sparkrl.settings.SettingsException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

public class RewardSettingsTest {
  private static final String OWN = "io.sparkrl.reward.RewardSettingsTest$";

  public static final class GoodReward implements Reward {
    @Override
    public double score(String prompt, String completion, String reference) {
      return 1.0;
    }
  }

  public static final class NoDefaultConstructorReward implements Reward {
    private final double value;

    public NoDefaultConstructorReward(double value) {
      this.value = value;
    }

    @Override
    public double score(String prompt, String completion, String reference) {
      return value;
    }
  }

  public abstract static class AbstractReward implements Reward {}

  public static final class NotAReward {}

  @Test
  void readsTheReferenceDefaults() {
    RewardSettings s = RewardSettings.from(config(""));
    assertEquals(List.of(new RewardSettings.WeightedFunction("answer-match", 1.0)), s.functions());
    assertEquals(0.0, s.fallback());
    assertEquals("The answer is", s.answerPrefix());
    assertEquals("The answer is -?[0-9]+\\.?", s.formatPattern());
    assertEquals(java.time.Duration.ofSeconds(1), s.timeout());
    assertEquals(10_000, s.program().maxSteps());
    assertEquals(false, s.usesPrograms());
    assertEquals(20, s.lengthFreeChars());
    assertEquals(0.01, s.lengthPerChar());
  }

  @Test
  void readsOverrides() {
    RewardSettings s = RewardSettings.from(config("""
        sparkrl.reward {
          functions = [
            { name = format, weight = 0.5 },
            { name = " %sGoodReward ", weight = -2 }
          ]
          fallback = -1
          answer-match.prefix = "Answer:"
          format.pattern = "Answer: [0-9]+"
          length-penalty { free-chars = 0, per-char = 0.5 }
          timeout = 250ms
          program { max-steps = 99, max-stack = 7, max-magnitude = 1000, max-nesting = 3, time-limit = 2s }
        }""".formatted(OWN)));
    assertEquals(List.of(new RewardSettings.WeightedFunction("format", 0.5),
        new RewardSettings.WeightedFunction(OWN + "GoodReward", -2.0)), s.functions());
    assertEquals(new RewardSettings(s.functions(), -1.0, "Answer:", "Answer: [0-9]+", 0, 0.5,
        java.time.Duration.ofMillis(250),
        new io.sparkrl.reward.program.ProgramLimits(99, 7, 1000, 3, 2_000_000_000L)), s);
  }

  /** (override, the key the error must name, a fragment of its message). */
  static Stream<Arguments> errors() {
    String functions = "sparkrl.reward.functions = ";
    return Stream.of(
        Arguments.of(functions + "[]", "sparkrl.reward.functions", "at least one"),
        Arguments.of(functions + "answer-match", "sparkrl.reward.functions", "wrong type"),
        Arguments.of(functions + "[answer-match]", "sparkrl.reward.functions", "wrong type"),
        Arguments.of(functions + "[{ weight = 1 }]", "sparkrl.reward.functions[0].name", "missing"),
        Arguments.of(functions + "[{ name = \"\", weight = 1 }]", "sparkrl.reward.functions[0].name", "empty"),
        Arguments.of(functions + "[{ name = answer-match }]", "sparkrl.reward.functions[0].weight", "missing"),
        Arguments.of(functions + "[{ name = answer-match, weight = 1 }, { name = format, weight = heavy }]",
            "sparkrl.reward.functions[1].weight", "wrong type"),
        Arguments.of(functions + "[{ name = answer-match, weight = 1 }, { name = format, weight = \"Infinity\" }]",
            "sparkrl.reward.functions[1].weight", "finite"),
        Arguments.of(functions + "[{ name = answer-match, weight = \"NaN\" }]",
            "sparkrl.reward.functions[0].weight", "finite"),
        Arguments.of(functions + "[{ name = answer-match, weight = 1, wieght = 2 }]",
            "sparkrl.reward.functions[0].wieght", "only `name` and `weight`"),
        Arguments.of(functions + "[{ name = answer-match, weight = 1 }, { name = answer_match, weight = 1 }]",
            "sparkrl.reward.functions[1].name", "class not found"),
        Arguments.of(functions + "[{ name = com.example.MissingReward, weight = 1 }]",
            "sparkrl.reward.functions[0].name", "class not found"),
        Arguments.of(functions + "[{ name = java.lang.String, weight = 1 }]",
            "sparkrl.reward.functions[0].name", "does not implement io.sparkrl.reward.Reward"),
        Arguments.of(functions + "[{ name = \"" + OWN + "NotAReward\", weight = 1 }]",
            "sparkrl.reward.functions[0].name", "does not implement io.sparkrl.reward.Reward"),
        Arguments.of(functions + "[{ name = \"" + OWN + "NoDefaultConstructorReward\", weight = 1 }]",
            "sparkrl.reward.functions[0].name", "has no public no-argument constructor"),
        Arguments.of(functions + "[{ name = \"" + OWN + "AbstractReward\", weight = 1 }]",
            "sparkrl.reward.functions[0].name", "abstract"),
        Arguments.of("sparkrl.reward.fallback = \"NaN\"", "sparkrl.reward.fallback", "must be in"),
        Arguments.of("sparkrl.reward.fallback = none", "sparkrl.reward.fallback", "wrong type"),
        Arguments.of("sparkrl.reward.answer-match.prefix = \" \"", "sparkrl.reward.answer-match.prefix", "empty"),
        Arguments.of("sparkrl.reward.format.pattern = \"(The answer\"", "sparkrl.reward.format.pattern",
            "Unclosed group"),
        Arguments.of("sparkrl.reward.length-penalty.free-chars = -1",
            "sparkrl.reward.length-penalty.free-chars", "must be in"),
        Arguments.of("sparkrl.reward.length-penalty.per-char = -0.01",
            "sparkrl.reward.length-penalty.per-char", "must be in"),
        Arguments.of("sparkrl.reward.length-penalty.per-char = \"Infinity\"",
            "sparkrl.reward.length-penalty.per-char", "finite"),
        Arguments.of("sparkrl.reward.timeout = 0s", "sparkrl.reward.timeout", "must be a duration in"),
        Arguments.of("sparkrl.reward.timeout = 2h", "sparkrl.reward.timeout", "must be a duration in"),
        Arguments.of("sparkrl.reward.timeout = soon", "sparkrl.reward.timeout", "soon"),
        Arguments.of("sparkrl.reward.program.max-steps = 0", "sparkrl.reward.program.max-steps", "must be in"),
        Arguments.of("sparkrl.reward.program.max-stack = 1.5", "sparkrl.reward.program.max-stack", "whole number"),
        Arguments.of("sparkrl.reward.program.max-magnitude = 1e19",
            "sparkrl.reward.program.max-magnitude", "must be in"),
        Arguments.of("sparkrl.reward.program.max-nesting = -1", "sparkrl.reward.program.max-nesting", "must be in"),
        Arguments.of("sparkrl.reward.program.time-limit = 0ms", "sparkrl.reward.program.time-limit",
            "must be a duration in"));
  }

  @ParameterizedTest(name = "[{index}] {0} -> {1}")
  @MethodSource("errors")
  void errorsNameTheKey(String override, String key, String fragment) {
    SettingsException e = assertThrows(SettingsException.class, () -> RewardSettings.from(config(override)));
    assertEquals(key, e.key());
    assertTrue(e.getMessage().startsWith(key), e.getMessage());
    assertTrue(e.getMessage().contains(fragment), e.getMessage());
  }

  @Test
  void survivesSerialization() throws Exception {
    RewardSettings s = RewardSettings.from(config(
        "sparkrl.reward.functions = [{ name = format, weight = 2 }, { name = length-penalty, weight = 1 }]"));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(s);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      assertEquals(s, in.readObject());
    }
  }

  private static Config config(String hocon) {
    return ConfigFactory.parseString(hocon).withFallback(ConfigFactory.defaultReference());
  }
}
