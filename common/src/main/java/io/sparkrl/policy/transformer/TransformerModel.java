package io.sparkrl.policy.transformer;

import io.sparkrl.gradient.GradientEngine;
import io.sparkrl.gradient.GradientSum;
import io.sparkrl.gradient.LossSettings;
import io.sparkrl.gradient.SequenceBatch;
import io.sparkrl.policy.PolicyModel;
import io.sparkrl.sampling.SamplingDevice;
import io.sparkrl.sampling.TokenStepper;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The transformer on one thread: a {@link TransformerPolicy} (ND4J arrays and ops, so the CPU and
 * CUDA backends run the same maths) over the current parameters, rebuilt when they change. Both
 * gradient backends and both sampling devices are this one engine for now: there is no separate
 * CPU kernel.
 */
final class TransformerModel implements PolicyModel {
  private final TransformerShape shape;
  private TransformerPolicy policy;

  TransformerModel(TransformerShape shape, float[] parameters) {
    this.shape = shape;
    this.policy = TransformerPolicy.of(shape, parameters, DataType.FLOAT);
  }

  @Override
  public void load(float[] parameters) {
    policy = TransformerPolicy.of(shape, parameters, DataType.FLOAT);
  }

  @Override
  public TokenStepper stepper(SamplingDevice device, int maxNewTokens) {
    return policy.stepper(maxNewTokens);
  }

  @Override
  public GradientEngine gradient(LossSettings.Backend backend, String role) {
    TransformerPolicy p = policy;
    return new GradientEngine() {
      @Override
      public GradientSum sum(SequenceBatch batch, double[] advantages, LossSettings regularizer,
          double[][] referenceLogProbs) {
        return p.sum(batch, advantages, regularizer, referenceLogProbs);
      }

      @Override
      public double[][] completionLogProbs(SequenceBatch batch) {
        return p.completionLogProbs(batch);
      }
    };
  }
}
