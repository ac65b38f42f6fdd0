package io.sparkrl.policy.lstm;

import io.sparkrl.gradient.LossSettings;
import io.sparkrl.gradient.ReinforceLoss;
import io.sparkrl.gradient.SequenceBatch;
import io.sparkrl.gradient.TrainingSequence;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A {@link SequenceBatch} as the DL4J network reads it. Rows are right-padded to the longest, and
 * padded positions carry zero weight, so (the LSTM being causal) padding changes nothing.
 *
 * <p>Shapes: features (B, 1, T), labels (B, {@link ReinforceLoss#CHANNELS}, T), with T the longest
 * sequence length minus one.
 */
public final class LstmBatch {
  private LstmBatch() {}

  /** Token ids as the network's input, (B, 1, T). */
  public static INDArray features(SequenceBatch batch, DataType dataType) {
    int[][] rows = new int[batch.size()][];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = batch.sequences().get(i).tokens();
    }
    return LstmFactory.input(rows, batch.length(), dataType);
  }

  /**
   * Labels for a pass in which sequence i's completion tokens get advantage {@code advantages[i]},
   * and, when {@code regularizer} is given, the KL and entropy terms of {@code loss}.
   *
   * @param referenceLogProbs log pi_ref of each completion token, [i][k]; needed when the KL term
   *     is on
   */
  public static INDArray labels(SequenceBatch batch, DataType dataType, double[] advantages,
      LossSettings regularizer, double[][] referenceLogProbs) {
    var sequences = batch.sequences();
    int length = batch.length();
    if (advantages.length != sequences.size()) {
      throw new IllegalArgumentException(advantages.length + " advantages for "
          + sequences.size() + " sequences");
    }
    double beta = regularizer == null ? 0 : regularizer.klCoefficient();
    double alpha = regularizer == null ? 0 : regularizer.entropyCoefficient();
    if (beta != 0 && referenceLogProbs == null) {
      throw new IllegalArgumentException("the KL term needs reference log-probs");
    }
    double estimator = regularizer != null
        && regularizer.klEstimator() == LossSettings.KlEstimator.K3 ? 1 : 0;
    int b = sequences.size();
    int c = ReinforceLoss.CHANNELS;
    // flat (B, C, T) in row-major order: element (i, ch, t) at (i * C + ch) * T + t
    double[] lab = new double[b * c * length];
    for (int i = 0; i < b; i++) {
      TrainingSequence s = sequences.get(i);
      int[] tokens = s.tokens();
      int base = i * c * length;
      for (int t = s.promptLength() - 1; t < tokens.length - 1; t++) {
        int k = t + 1 - s.promptLength(); // index of the predicted completion token
        lab[base + ReinforceLoss.TARGET * length + t] = tokens[t + 1];
        lab[base + ReinforceLoss.ADVANTAGE * length + t] = advantages[i];
        lab[base + ReinforceLoss.KL_WEIGHT * length + t] = beta;
        lab[base + ReinforceLoss.REFERENCE_LOG_PROB * length + t] =
            beta != 0 ? referenceLogProbs[i][k] : 0;
        lab[base + ReinforceLoss.ENTROPY_WEIGHT * length + t] = alpha;
        lab[base + ReinforceLoss.KL_ESTIMATOR * length + t] = estimator;
      }
    }
    INDArray labels = Nd4j.create(lab, new long[] {b, c, length}, 'c');
    return labels.dataType() == dataType ? labels : labels.castTo(dataType);
  }

  /** log pi(a) of every completion token under the network: a full forward pass, [i][k]. */
  public static double[][] completionLogProbs(MultiLayerNetwork net, SequenceBatch batch) {
    INDArray probabilities = net.output(features(batch, net.params().dataType()), false); // (B, V, T)
    double[][] out = new double[batch.size()][];
    for (int i = 0; i < out.length; i++) {
      TrainingSequence s = batch.sequences().get(i);
      out[i] = new double[s.completionLength()];
      for (int k = 0; k < out[i].length; k++) {
        int t = s.promptLength() - 1 + k;
        out[i][k] = Math.log(probabilities.getDouble(i, s.tokens()[t + 1], t));
      }
    }
    return out;
  }
}
