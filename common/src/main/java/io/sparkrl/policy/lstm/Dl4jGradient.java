package io.sparkrl.policy.lstm;

import io.sparkrl.gradient.GradientEngine;
import io.sparkrl.gradient.GradientSum;
import io.sparkrl.gradient.LossSettings;
import io.sparkrl.gradient.SequenceBatch;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * The REINFORCE gradient SUM of a batch by one DL4J backward pass with {@link ReinforceLoss}: the
 * reference {@link LstmBackprop} is tested against ({@code sparkrl.loss.backend = dl4j}).
 */
public final class Dl4jGradient implements GradientEngine {
  private final MultiLayerNetwork net;

  public Dl4jGradient(MultiLayerNetwork net) {
    this.net = net;
  }

  /**
   * @param regularizer the loss whose KL/entropy terms to include, or null for none
   * @param referenceLogProbs log pi_ref per completion token, when the KL term is on
   */
  public static GradientSum sum(MultiLayerNetwork net, SequenceBatch batch, double[] advantages,
      LossSettings regularizer, double[][] referenceLogProbs) {
    var type = net.params().dataType();
    net.setInput(LstmBatch.features(batch, type));
    net.setLabels(LstmBatch.labels(batch, type, advantages, regularizer, referenceLogProbs));
    net.computeGradientAndScore();
    double[] gradient = net.gradient().gradient().toDoubleVector();
    // DL4J reports the output layer's summed loss divided by the minibatch size.
    double lossSum = net.score() * batch.size();
    net.clear();
    return new GradientSum(gradient, batch.size(), batch.completionTokens(), lossSum);
  }

  @Override
  public GradientSum sum(SequenceBatch batch, double[] advantages, LossSettings regularizer,
      double[][] referenceLogProbs) {
    return sum(net, batch, advantages, regularizer, referenceLogProbs);
  }

  @Override
  public double[][] completionLogProbs(SequenceBatch batch) {
    return LstmBatch.completionLogProbs(net, batch);
  }
}
