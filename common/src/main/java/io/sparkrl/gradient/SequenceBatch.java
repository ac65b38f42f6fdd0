package io.sparkrl.gradient;

import java.util.List;

/**
 * Sequences for one forward/backward pass, whatever the architecture. Position t of a row holds
 * token t and predicts token t+1; the completion tokens (positions {@code promptLength..}) are the
 * actions the loss scores. Rows may differ in length: each engine pads and masks as it needs.
 */
public final class SequenceBatch {
  private final List<TrainingSequence> sequences;
  private final int length;
  private final long completionTokens;

  public SequenceBatch(List<TrainingSequence> sequences) {
    if (sequences.isEmpty()) {
      throw new IllegalArgumentException("a batch needs at least one sequence");
    }
    this.sequences = List.copyOf(sequences);
    int longest = 0;
    long tokens = 0;
    for (TrainingSequence s : sequences) {
      longest = Math.max(longest, s.tokens().length);
      tokens += s.completionLength();
    }
    this.length = Math.max(1, longest - 1);
    this.completionTokens = tokens;
  }

  public int size() {
    return sequences.size();
  }

  public long completionTokens() {
    return completionTokens;
  }

  /** T: positions per padded row (the longest sequence minus one). */
  public int length() {
    return length;
  }

  public List<TrainingSequence> sequences() {
    return sequences;
  }
}
