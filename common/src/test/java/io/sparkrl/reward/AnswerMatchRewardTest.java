package io.sparkrl.reward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class AnswerMatchRewardTest {
  private static final String PROMPT = "What is 12 + 7?";
  private final Reward reward = new AnswerMatchReward("The answer is");

  /** (completion, reference, expected reward). */
  static Stream<Arguments> table() {
    return Stream.of(
        // Tolerated: whitespace anywhere around the number, one closing period, trailing zeros.
        Arguments.of("The answer is 19", "19", 1.0),
        Arguments.of("The answer is 19.", "19", 1.0),
        Arguments.of("The answer is  19", "19", 1.0),
        Arguments.of(" The answer is 19 . ", "19", 1.0),
        Arguments.of("The answer is\t19\n", "19", 1.0),
        Arguments.of("The answer is19", "19", 1.0),
        Arguments.of("The answer is 19.0", "19", 1.0),
        Arguments.of("The answer is 19.00.", "19", 1.0),
        Arguments.of("12 + 7 = 19. The answer is 19.", "19", 1.0),
        // Wrong or not cleanly stated.
        Arguments.of("The answer is 190.", "19", 0.0),
        Arguments.of("The answer is 1", "19", 0.0),
        Arguments.of("The answer is 20.", "19", 0.0),
        Arguments.of("The answer is 19. No, 20", "19", 0.0),
        Arguments.of("The answer is 19..", "19", 0.0),
        Arguments.of("The answer is 1 9", "19", 0.0),
        Arguments.of("The answer is x19", "19", 0.0),
        Arguments.of("The answer is 0x13", "19", 0.0),
        Arguments.of("The answer is 19!", "19", 0.0),
        Arguments.of("The answer is", "19", 0.0),
        Arguments.of("19", "19", 0.0),
        Arguments.of("the answer is 19", "19", 0.0),
        Arguments.of("", "19", 0.0),
        // The last occurrence of the prefix counts.
        Arguments.of("The answer is 20. The answer is 19.", "19", 1.0),
        Arguments.of("The answer is 19. The answer is 20.", "19", 0.0),
        // Negative numbers and decimals.
        Arguments.of("The answer is -3.", "-3", 1.0),
        Arguments.of("The answer is 3.", "-3", 0.0),
        Arguments.of("The answer is -3.", "3", 0.0),
        Arguments.of("The answer is -0.5", "-0.50", 1.0),
        Arguments.of("The answer is 2.5.", "2.5", 1.0),
        Arguments.of("The answer is 2.5.", "2", 0.0),
        // The reference: bare with spaces or a period, or a full sentence parsed the same way.
        Arguments.of("The answer is 19", " 19 ", 1.0),
        Arguments.of("The answer is 19", "19.", 1.0),
        Arguments.of("The answer is 19", "The answer is 19.", 1.0),
        Arguments.of("The answer is 19", "The answer is 20.", 0.0));
  }

  @ParameterizedTest(name = "[{index}] \"{0}\" vs \"{1}\" -> {2}")
  @MethodSource("table")
  void scoresTheStatedNumberAgainstTheReference(String completion, String reference, double expected) {
    assertEquals(expected, reward.score(PROMPT, completion, reference));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "  ", "abc", "nineteen", "The answer is", "The answer is x.", "19 or 20"})
  void aReferenceWithoutNumberIsADataErrorNamingIt(String reference) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> reward.score(PROMPT, "The answer is 19.", reference));
    assertTrue(e.getMessage().contains("\"" + reference + "\""), e.getMessage());
  }

  @Test
  void thePrefixIsConfigurable() {
    Reward custom = new AnswerMatchReward("Answer:");
    assertEquals(1.0, custom.score(PROMPT, "Answer: 7", "7"));
    assertEquals(0.0, custom.score(PROMPT, "The answer is 7", "7"));
  }

  @Test
  void anEmptyPrefixIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> new AnswerMatchReward(""));
  }
}
