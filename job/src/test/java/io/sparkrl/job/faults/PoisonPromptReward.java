package io.sparkrl.job.faults;

import io.sparkrl.reward.Reward;

/**
 * A hostile user reward on some prompts only: the largest finite double for questions whose second
 * operand is {@value #POISON} ("How much is 3+7?"), a small length-based score elsewhere. Steps whose
 * batch holds such a prompt overflow to infinity; the others train normally.
 */
public class PoisonPromptReward implements Reward {
  public static final String POISON = "+7?";

  public static boolean poisoned(String prompt) {
    return prompt.endsWith(POISON);
  }

  @Override
  public double score(String prompt, String completion, String reference) {
    return poisoned(prompt) ? Double.MAX_VALUE : Math.min(completion.length(), 10) / 10.0;
  }
}
