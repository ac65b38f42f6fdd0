package io.sparkrl.reward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LengthPenaltyRewardTest {

  @ParameterizedTest(name = "[{index}] free={0} perChar={1} length={2} -> {3}")
  @CsvSource(textBlock = """
      20, 0.01,  0,  0.0
      20, 0.01, 19,  0.0
      20, 0.01, 20,  0.0
      20, 0.01, 21, -0.01
      20, 0.01, 30, -0.1
      20, 0.01, 120, -1.0
       0, 0.5,   3, -1.5
       0, 0.5,   0,  0.0
       5, 0.0,  50,  0.0
       5, 2.0,   7, -4.0
      """)
  void penalisesCharactersBeyondTheAllowance(int freeChars, double perChar, int length, double expected) {
    Reward reward = new LengthPenaltyReward(freeChars, perChar);
    assertEquals(expected, reward.score("prompt", "x".repeat(length), "19"), 1e-12);
  }

  @Test
  void noPenaltyIsPositiveZero() {
    double score = new LengthPenaltyReward(20, 0.01).score("prompt", "short", "19");
    assertEquals(0, Double.compare(0.0, score), "got " + score);
  }

  @ParameterizedTest
  @CsvSource(textBlock = """
      -1, 0.01
      20, -0.01
      20, NaN
      20, Infinity
      """)
  void rejectsBadParameters(int freeChars, double perChar) {
    assertThrows(IllegalArgumentException.class, () -> new LengthPenaltyReward(freeChars, perChar));
  }
}
