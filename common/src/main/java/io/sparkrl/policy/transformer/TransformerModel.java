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
 * The transformer on one thread, over its current parameters, with two paths: the CPU fast path
 * ({@link FastWeights} in native memory: {@link TransformerKernel} for sampling,
 * {@link TransformerBackprop} for gradients) and the ND4J reference path ({@link TransformerPolicy}:
 * the same maths as ND4J ops, which the CUDA backend runs). {@code loss.backend = fast} takes the
 * fast path, {@code dl4j} the reference ({@code auto}: dl4j on CUDA, fast on CPU); sampling device {@code cpu-kernel} the kernel,
 * {@code network} the reference stepper ({@code auto}: network on CUDA, kernel on CPU). Each path's
 * copy of the parameters is made on first use and refreshed by {@link #load} (the fast path's in
 * place, so steppers and engines handed out before see the new values).
 */
final class TransformerModel implements PolicyModel {
  private final TransformerShape shape;
  private float[] parameters;
  private TransformerPolicy policy;
  private FastWeights fast;

  TransformerModel(TransformerShape shape, float[] parameters) {
    int expected = TransformerLayout.of(shape).parameterCount();
    if (parameters.length != expected) {
      throw new IllegalArgumentException(parameters.length + " parameters for a transformer of "
          + expected);
    }
    this.shape = shape;
    this.parameters = parameters;
  }

  @Override
  public void load(float[] newParameters) {
    if (fast != null) {
      fast.load(newParameters);
    }
    policy = null;
    parameters = newParameters;
  }

  private FastWeights fast() {
    if (fast == null) {
      fast = new FastWeights(shape, parameters);
    }
    return fast;
  }

  private TransformerPolicy policy() {
    if (policy == null) {
      policy = TransformerPolicy.of(shape, parameters, DataType.FLOAT);
    }
    return policy;
  }

  @Override
  public TokenStepper stepper(SamplingDevice device, int maxNewTokens) {
    return switch (device.onLoadedBackend()) {
      case NETWORK -> policy().stepper(maxNewTokens);
      case CPU_KERNEL -> new TransformerKernel(fast(), maxNewTokens);
      case AUTO -> throw new IllegalStateException("auto resolves to a concrete path");
    };
  }

  @Override
  public GradientEngine gradient(LossSettings.Backend backend, String role) {
    if (backend.onLoadedBackend() == LossSettings.Backend.FAST) {
      return TransformerBackprop.of(fast(), role);
    }
    TransformerPolicy p = policy();
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
