package io.sparkrl.policy.lstm;

import io.sparkrl.gradient.GradientEngine;
import io.sparkrl.gradient.LossSettings;
import io.sparkrl.policy.PolicyModel;
import io.sparkrl.sampling.SamplingDevice;
import io.sparkrl.sampling.TokenStepper;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The LSTM on one thread: a DL4J network and the float parameters it holds. Sampling runs on
 * {@link LstmKernel} (plain Java on the CPU) or {@link NetworkStepper} (the network's own ops, on
 * the task's GPU under the CUDA backend); gradients on {@link LstmBackprop} or {@link Dl4jGradient}.
 */
final class LstmModel implements PolicyModel {
  private final MultiLayerNetwork net;
  private float[] parameters;

  LstmModel(MultiLayerNetwork net, float[] parameters) {
    this.net = net;
    this.parameters = parameters;
  }

  static void assign(MultiLayerNetwork net, float[] parameters) {
    if (net.numParams() != parameters.length) {
      throw new IllegalArgumentException("network has " + net.numParams()
          + " parameters, snapshot has " + parameters.length);
    }
    net.params().assign(Nd4j.createFromArray(parameters).castTo(net.params().dataType()));
  }

  @Override
  public void load(float[] newParameters) {
    assign(net, newParameters);
    parameters = newParameters;
  }

  MultiLayerNetwork network() {
    return net;
  }

  @Override
  public TokenStepper stepper(SamplingDevice device, int maxNewTokens) {
    return switch (device.onLoadedBackend()) {
      case NETWORK -> NetworkStepper.of(net);
      case CPU_KERNEL -> LstmKernel.of(net);
      case AUTO -> throw new IllegalStateException("auto resolves to a concrete path");
    };
  }

  @Override
  public GradientEngine gradient(LossSettings.Backend backend, String role) {
    return switch (backend.onLoadedBackend()) {
      case FAST -> LstmBackprop.of(net, parameters, role);
      case DL4J -> new Dl4jGradient(net);
      case AUTO -> throw new IllegalStateException("auto resolves to a concrete pass");
    };
  }
}
