package io.sparkrl.step;

import io.sparkrl.reward.Reward;

/**
 * A test reward with groups of both kinds: 1 for every completion of a prompt whose first digit
 * is even (a uniform group), the completion's length otherwise (a group whose rewards vary).
 */
public final class PromptParityReward implements Reward {
  @Override
  public double score(String prompt, String completion, String reference) {
    int digit = prompt.chars().filter(Character::isDigit).findFirst().orElse('0') - '0';
    return digit % 2 == 0 ? 1.0 : completion.length();
  }
}
