package io.sparkrl.reward;

/**
 * A string as a {@link CharSequence} that stops whoever reads it past a deadline: every
 * {@value #CHECK_EVERY} reads of a character look at the clock and throw
 * {@link RewardTimeoutException} once the deadline has passed. A regular expression reads its
 * input through {@code charAt} at every step of matching, backtracking included, so matching over
 * this bounds a pattern that backtracks exponentially in time, on the caller's own thread, with no
 * second thread to hand the call to.
 */
final class DeadlineChars implements CharSequence {
  static final int CHECK_EVERY = 1024;

  private final String text;
  private final long deadlineNanos;
  private int reads;

  DeadlineChars(String text, long deadlineNanos) {
    this.text = text;
    this.deadlineNanos = deadlineNanos;
  }

  @Override
  public char charAt(int index) {
    if (++reads == CHECK_EVERY) {
      reads = 0;
      if (System.nanoTime() - deadlineNanos > 0) {
        throw new RewardTimeoutException("stopped after its time limit while matching "
            + text.length() + " characters");
      }
    }
    return text.charAt(index);
  }

  @Override
  public int length() {
    return text.length();
  }

  @Override
  public CharSequence subSequence(int start, int end) {
    return new DeadlineChars(text.substring(start, end), deadlineNanos);
  }

  @Override
  public String toString() {
    return text;
  }
}
