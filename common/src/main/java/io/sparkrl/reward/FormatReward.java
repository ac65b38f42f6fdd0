package io.sparkrl.reward;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * 1 when the whole completion matches a regular expression, else 0: pays the policy for the
 * answer's shape independently of its correctness, which gives a learning signal long before the
 * policy gets answers right.
 */
public final class FormatReward implements Reward {
  private static final long serialVersionUID = 1L;

  private final String regex;
  /** Compiled once per JVM: rebuilt after deserialization on each executor, never per completion. */
  private transient Pattern pattern;

  /** @throws java.util.regex.PatternSyntaxException when regex is not a valid Java regex */
  public FormatReward(String regex) {
    this.regex = Objects.requireNonNull(regex, "regex == null");
    this.pattern = Pattern.compile(regex);
  }

  @Override
  public double score(String prompt, String completion, String reference) {
    return pattern.matcher(completion).matches() ? 1.0 : 0.0;
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
