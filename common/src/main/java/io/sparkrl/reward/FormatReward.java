package io.sparkrl.reward;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * 1 when the whole completion matches a regular expression, else 0: pays the policy for the
 * answer's shape independently of its correctness, which gives a learning signal long before the
 * policy gets answers right.
 *
 * <p>The regex comes from the configuration and may backtrack exponentially, so a match that runs
 * past the time limit stops itself ({@link DeadlineChars}) with {@link RewardTimeoutException}:
 * bounded on the calling thread, it needs no guard thread and no thread hand-offs per call.
 */
public final class FormatReward implements Reward {
  private static final long serialVersionUID = 1L;

  private final String regex;
  private final long timeLimitNanos;
  /** Compiled once per JVM: rebuilt after deserialization on each executor, never per completion. */
  private transient Pattern pattern;

  /** A reward with no time limit. */
  public FormatReward(String regex) {
    this(regex, Long.MAX_VALUE);
  }

  /**
   * @param timeLimitNanos how long one match may run, {@code > 0}
   * @throws java.util.regex.PatternSyntaxException when regex is not a valid Java regex
   */
  public FormatReward(String regex, long timeLimitNanos) {
    if (timeLimitNanos <= 0) {
      throw new IllegalArgumentException("timeLimitNanos must be > 0, was " + timeLimitNanos);
    }
    this.regex = Objects.requireNonNull(regex, "regex == null");
    this.timeLimitNanos = timeLimitNanos;
    this.pattern = Pattern.compile(regex);
  }

  /** @throws RewardTimeoutException when matching ran past the time limit */
  @Override
  public double score(String prompt, String completion, String reference) {
    // overflows for "no limit", harmlessly: DeadlineChars compares clock differences
    long deadline = System.nanoTime() + timeLimitNanos;
    return pattern.matcher(new DeadlineChars(completion, deadline)).matches() ? 1.0 : 0.0;
  }

  private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
    in.defaultReadObject();
    pattern = Pattern.compile(regex);
  }

  @Override
  public String toString() {
    return "FormatReward[pattern=\"" + regex + "\"]";
  }
}
