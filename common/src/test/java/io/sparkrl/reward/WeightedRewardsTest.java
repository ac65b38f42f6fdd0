package io.sparkrl.reward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.ConfigFactory;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

public class WeightedRewardsTest {
  private static final String PROMPT = "What is 12 + 7?";
  private static final String OWN = "io.sparkrl.reward.WeightedRewardsTest$";

  /** A user reward loaded by its binary name, as a config file names it. */
  public static final class QuarterReward implements Reward {
    @Override
    public double score(String prompt, String completion, String reference) {
      return 0.25;
    }
  }

  public static final class ThrowingReward implements Reward {
    @Override
    public double score(String prompt, String completion, String reference) {
      throw new IllegalStateException("user bug");
    }
  }

  public static final class NanReward implements Reward {
    @Override
    public double score(String prompt, String completion, String reference) {
      return Double.NaN;
    }
  }

  public static final class InfiniteReward implements Reward {
    @Override
    public double score(String prompt, String completion, String reference) {
      return Double.NEGATIVE_INFINITY;
    }
  }

  public static final class FailingConstructorReward implements Reward {
    public FailingConstructorReward() {
      throw new IllegalStateException("no model file");
    }

    @Override
    public double score(String prompt, String completion, String reference) {
      return 0.0;
    }
  }

  /** The configurations the table rows name: `functions` lists and fallbacks. */
  private static final Map<String, String> CONFIGS = Map.of(
      "default", "",
      "mixed", """
          sparkrl.reward.functions = [
            { name = answer-match, weight = 1.0 },
            { name = format, weight = 0.5 },
            { name = length-penalty, weight = 1.0 }
          ]""",
      "user", """
          sparkrl.reward.functions = [
            { name = answer-match, weight = 2.0 },
            { name = "%sQuarterReward", weight = -4.0 }
          ]""".formatted(OWN));

  /**
   * (config, completion, reference, expected). mixed: answer-match + 0.5·format − 0.01 per
   * character beyond 20; user: 2·answer-match − 4·0.25.
   */
  static Stream<Arguments> table() {
    return Stream.of(
        Arguments.of("default", "The answer is 19.", "19", 1.0),
        Arguments.of("default", "The answer is 20.", "19", 0.0),
        Arguments.of("mixed", "The answer is 19.", "19", 1.5),
        Arguments.of("mixed", "The answer is 20.", "19", 0.5),
        Arguments.of("mixed", "The answer is -19", "19", 0.5),
        // 33 characters: 1 (answer) + 0 (format) - 0.13 (13 beyond 20).
        Arguments.of("mixed", "So 12 + 7 = 19. The answer is 19.", "19", 0.87),
        // 34 characters, trailing text: 0 + 0 - 0.14.
        Arguments.of("mixed", "The answer is 19. I am sure of it.", "19", -0.14),
        Arguments.of("mixed", "", "19", 0.0),
        Arguments.of("user", "The answer is 19.", "19", 1.0),
        Arguments.of("user", "The answer is 20.", "19", -1.0));
  }

  @ParameterizedTest(name = "[{index}] {0}: \"{1}\" -> {3}")
  @MethodSource("table")
  void sumsWeightedScores(String config, String completion, String reference, double expected) {
    WeightedRewards rewards = rewards(CONFIGS.get(config));
    assertEquals(expected, rewards.score(PROMPT, completion, reference), 1e-12);
    assertEquals(0, rewards.failures());
  }

  @ParameterizedTest(name = "[{index}] {0}: \"{1}\" -> {3}")
  @MethodSource("table")
  void scoresTheSameAfterSerialization(String config, String completion, String reference, double expected)
      throws Exception {
    WeightedRewards copy = roundTrip(rewards(CONFIGS.get(config)));
    assertEquals(expected, copy.score(PROMPT, completion, reference), 1e-12);
  }

  /**
   * (functions, fallback, reference, expected score, failures per call). The completion is always
   * "The answer is 19.".
   */
  static Stream<Arguments> failures() {
    return Stream.of(
        Arguments.of("[{ name = \"" + OWN + "ThrowingReward\", weight = 3.0 }]", -1.0, "19", -3.0, 1),
        Arguments.of("[{ name = \"" + OWN + "NanReward\", weight = 2.0 }, { name = answer-match, weight = 1.0 }]",
            0.5, "19", 2.0, 1),
        Arguments.of("[{ name = \"" + OWN + "InfiniteReward\", weight = 1.0 },"
            + " { name = \"" + OWN + "ThrowingReward\", weight = 1.0 },"
            + " { name = \"" + OWN + "QuarterReward\", weight = 1.0 }]", 0.0, "19", 0.25, 2),
        // A reference without a number is a data error: answer-match throws, the fallback is used.
        Arguments.of("[{ name = answer-match, weight = 1.0 }]", 0.25, "abc", 0.25, 1),
        Arguments.of("[{ name = answer-match, weight = 2.0 }, { name = format, weight = 1.0 }]",
            -0.5, "n/a", 0.0, 1));
  }

  @ParameterizedTest(name = "[{index}] {0} fallback {1} -> {3}")
  @MethodSource("failures")
  void failingFunctionsContributeTheFallbackAndAreCounted(
      String functions, double fallback, String reference, double expected, int failuresPerCall) {
    WeightedRewards rewards =
        rewards("sparkrl.reward { functions = " + functions + ", fallback = " + fallback + " }");
    for (int call = 1; call <= 3; call++) {
      assertEquals(expected, rewards.score(PROMPT, "The answer is 19.", reference), 1e-12);
      assertEquals((long) call * failuresPerCall, rewards.failures());
    }
  }

  @Test
  void namesFollowTheConfiguration() {
    assertEquals(List.of("answer-match", "format", "length-penalty"), rewards(CONFIGS.get("mixed")).names());
    assertEquals(List.of("answer-match", OWN + "QuarterReward"), rewards(CONFIGS.get("user")).names());
  }

  @Test
  void aUserConstructorThatThrowsFailsCreationNamingTheClass() {
    RewardSettings settings = RewardSettings.from(ConfigFactory
        .parseString("sparkrl.reward.functions = [{ name = \"" + OWN + "FailingConstructorReward\", weight = 1 }]")
        .withFallback(ConfigFactory.defaultReference()));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> WeightedRewards.create(settings));
    assertEquals(true, e.getMessage().contains("FailingConstructorReward"), e.getMessage());
  }

  private static WeightedRewards rewards(String hocon) {
    return WeightedRewards.create(RewardSettings.from(
        ConfigFactory.parseString(hocon).withFallback(ConfigFactory.defaultReference())));
  }

  private static WeightedRewards roundTrip(WeightedRewards rewards) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(rewards);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return (WeightedRewards) in.readObject();
    }
  }
}
