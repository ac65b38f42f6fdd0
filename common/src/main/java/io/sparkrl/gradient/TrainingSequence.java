package io.sparkrl.gradient;

import java.io.Serializable;

/**
 * One sequence to score or train on: {@code BOS prompt SEP completion [EOS]}. Positions before
 * {@code promptLength} are conditioning only; the completion tokens after them are the actions
 * whose log-probabilities the loss uses.
 */
public record TrainingSequence(int[] tokens, int promptLength) implements Serializable {
  public TrainingSequence {
    if (promptLength < 1 || promptLength > tokens.length) {
      throw new IllegalArgumentException("prompt length " + promptLength + " outside [1, "
          + tokens.length + "]");
    }
  }

  public static TrainingSequence of(int[] prompt, int[] completion) {
    int[] tokens = new int[prompt.length + completion.length];
    System.arraycopy(prompt, 0, tokens, 0, prompt.length);
    System.arraycopy(completion, 0, tokens, prompt.length, completion.length);
    return new TrainingSequence(tokens, prompt.length);
  }

  public int completionLength() {
    return tokens.length - promptLength;
  }
}
