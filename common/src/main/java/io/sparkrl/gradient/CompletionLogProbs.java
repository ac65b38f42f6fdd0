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
        int r = rows.of(i, t);
        for (int j = 0; j < vocabulary; j++) {
          z[j] = logits[r * vocabulary + j];
        }
        TokenLoss.logSoftmax(z, z);
        out[i][k] = z[s.tokens()[t + 1]];
      }
    }
    return out;
  }
}
