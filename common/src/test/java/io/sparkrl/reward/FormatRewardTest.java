package io.sparkrl.reward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.regex.PatternSyntaxException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FormatRewardTest {
  /** The default of sparkrl.reward.format.pattern. */
  private static final String PATTERN = "The answer is -?[0-9]+\\.?";

  @ParameterizedTest(name = "[{index}] \"{0}\" -> {1}")
  @CsvSource(delimiter = '|', emptyValue = "", textBlock = """
      The answer is 19.          | 1.0
      The answer is 19           | 1.0
      The answer is -3.          | 1.0
      The answer is 0            | 1.0
      the answer is 19.          | 0.0
      The answer is 19.0         | 0.0
      The answer is 19..         | 0.0
      The answer is .            | 0.0
      'The answer is 19. '       | 0.0
      'x The answer is 19.'      | 0.0
      The answer is nineteen.    | 0.0
      ''                         | 0.0
      """)
  void wholeCompletionMustMatch(String completion, double expected) throws Exception {
    FormatReward reward = new FormatReward(PATTERN);
    assertEquals(expected, reward.score("What is 12 + 7?", completion, "19"));
    assertEquals(expected, roundTrip(reward).score("What is 12 + 7?", completion, "19"));
  }

  @Test
  void aBadRegexFailsAtConstruction() {
    assertThrows(PatternSyntaxException.class, () -> new FormatReward("(unclosed"));
  }

  static Reward roundTrip(Reward reward) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(reward);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return (Reward) in.readObject();
    }
  }
}
