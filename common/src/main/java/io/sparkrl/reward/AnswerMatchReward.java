package io.sparkrl.reward;

import java.math.BigDecimal;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * 1 when the number a completion states after the prefix equals the reference answer, else 0.
 *
 * <p>The comparison is numeric ({@link BigDecimal#compareTo}) so that "19.0" earns the same reward
 * as "19": the policy should be paid for the answer, not for its spelling. Whitespace and one
 * closing period are tolerated because a character-level policy produces them freely; anything
 * else after the number ("19. No, 20") scores 0, otherwise a policy could hedge by listing answers.
 * The last occurrence of the prefix counts, since a completion that changes its mind means its
 * final statement.
 */
public final class AnswerMatchReward implements Reward {
  private static final long serialVersionUID = 1L;

  /** Whatever follows the prefix: optional whitespace, the number, optional whitespace and one period. */
  private static final Pattern STATED_NUMBER =
      Pattern.compile("\\s*(-?[0-9]+(?:\\.[0-9]+)?)\\s*(?:\\.\\s*)?");

  private final String prefix;

  public AnswerMatchReward(String prefix) {
    Objects.requireNonNull(prefix, "prefix == null");
    if (prefix.isEmpty()) {
      throw new IllegalArgumentException("prefix must not be empty");
    }
    this.prefix = prefix;
  }

  /**
   * @throws IllegalArgumentException when the reference has no number: that is a defect of the
   *     data, not of the completion, so it must not silently score 0 ({@link WeightedRewards}
   *     turns it into the fallback and counts it)
   */
  @Override
  public double score(String prompt, String completion, String reference) {
    BigDecimal expected = referenceNumber(reference);
    BigDecimal stated = statedNumber(completion);
    return stated != null && stated.compareTo(expected) == 0 ? 1.0 : 0.0;
  }

  /** The number after the last prefix, or null when the completion states none cleanly. */
  private BigDecimal statedNumber(String text) {
    int at = text.lastIndexOf(prefix);
    if (at < 0) {
      return null;
    }
    return number(text.substring(at + prefix.length()));
  }

  /** A reference is a bare number ("19", " -3 ") or a sentence in the completion's own format. */
  private BigDecimal referenceNumber(String reference) {
    Objects.requireNonNull(reference, "reference == null");
    BigDecimal n = reference.contains(prefix) ? statedNumber(reference) : number(reference);
    if (n == null) {
      throw new IllegalArgumentException(
          "reference answer \"" + reference + "\" has no number (expected e.g. \"19\" or \""
              + prefix + " 19.\")");
    }
    return n;
  }

  private static BigDecimal number(String text) {
    Matcher m = STATED_NUMBER.matcher(text);
    return m.matches() ? new BigDecimal(m.group(1)) : null;
  }

  @Override
  public String toString() {
    return "AnswerMatchReward[prefix=\"" + prefix + "\"]";
  }
}
