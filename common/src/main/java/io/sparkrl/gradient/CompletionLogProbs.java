package io.sparkrl.gradient;

import java.util.List;

/**
 * log pi(a) of every completion token from a pass's logits, for the engines that keep them as one
 * float array of rows: position t of sequence i predicts token t+1 from its row's V logits.
 */
public final class CompletionLogProbs {
  /** Where position t of sequence i sits among the pass's logit rows. */
  @FunctionalInterface
  public interface Rows {
    int of(int sequence, int position);
  }

  private CompletionLogProbs() {}

  /** [i][k]: log pi of completion token k of sequence i. */
  public static double[][] of(SequenceBatch batch, float[] logits, int vocabulary, Rows rows) {
    double[] z = new double[vocabulary];
    List<TrainingSequence> sequences = batch.sequences();
    double[][] out = new double[sequences.size()][];
    for (int i = 0; i < out.length; i++) {
      TrainingSequence s = sequences.get(i);
      out[i] = new double[s.completionLength()];
      for (int k = 0; k < out[i].length; k++) {
        int t = s.promptLength() - 1 + k;
        out[i][k] = of(logits, rows.of(i, t) * vocabulary, s.tokens()[t + 1], z);
      }
    }
    return out;
  }

  /**
   * log pi(token) from the V logits at {@code logits[offset ...]}, in double; V is
   * {@code scratch}'s length; it is overwritten.
   */
  public static double of(float[] logits, int offset, int token, double[] scratch) {
    int vocabulary = scratch.length;
    for (int j = 0; j < vocabulary; j++) {
      scratch[j] = logits[offset + j];
    }
    TokenLoss.logSoftmax(scratch, scratch);
    return scratch[token];
  }
}
