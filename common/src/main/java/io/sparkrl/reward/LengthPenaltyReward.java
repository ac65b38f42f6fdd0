package io.sparkrl.reward;

/**
 * A non-positive reward that grows linearly with the characters beyond a free allowance: keeps the
 * policy from padding its answer, without punishing answers of a reasonable length at all.
 */
public final class LengthPenaltyReward implements Reward {
  private static final long serialVersionUID = 1L;

  private final int freeChars;
  private final double perChar;

  /**
   * @param freeChars characters that cost nothing, {@code >= 0}
   * @param perChar penalty per character beyond freeChars (reward units per character), finite and
   *     {@code >= 0}
   */
  public LengthPenaltyReward(int freeChars, double perChar) {
    if (freeChars < 0) {
      throw new IllegalArgumentException("freeChars must be >= 0, was " + freeChars);
    }
    if (!(perChar >= 0 && Double.isFinite(perChar))) {
      throw new IllegalArgumentException("perChar must be finite and >= 0, was " + perChar);
    }
    this.freeChars = freeChars;
    this.perChar = perChar;
  }

  @Override
  public double score(String prompt, String completion, String reference) {
    int excess = Math.max(0, completion.length() - freeChars);
    // An explicit 0.0: -perChar * 0 would be -0.0, which prints and compares as a penalty.
    return excess == 0 ? 0.0 : -perChar * excess;
  }

  @Override
  public String toString() {
    return "LengthPenaltyReward[freeChars=" + freeChars + ", perChar=" + perChar + "]";
  }
}
