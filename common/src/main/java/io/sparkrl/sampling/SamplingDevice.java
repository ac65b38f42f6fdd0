package io.sparkrl.sampling;

import io.sparkrl.policy.DeviceBinding;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * Where sampling runs ({@code sparkrl.sampling.device}): {@code cpu-kernel} is {@link LstmKernel}
 * on the executor's CPU core (bit-identical completions whatever the batch); {@code network} is
 * {@link NetworkStepper}, the network's own ops, on the task's GPU under the CUDA backend;
 * {@code auto} is {@code network} when ND4J's backend is CUDA, else {@code cpu-kernel}.
 */
public enum SamplingDevice {
  AUTO,
  CPU_KERNEL,
  NETWORK;

  /** The names accepted in configuration. */
  public static final Set<String> NAMES = Arrays.stream(values()).map(SamplingDevice::configName)
      .collect(Collectors.toUnmodifiableSet());

  public static SamplingDevice parse(String name) {
    return valueOf(name.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
  }

  public String configName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The concrete path: {@code auto} becomes {@code network} on a CUDA backend, else the kernel. */
  public SamplingDevice resolve(boolean cudaBackend) {
    if (this != AUTO) {
      return this;
    }
    return cudaBackend ? NETWORK : CPU_KERNEL;
  }

  /** {@link #resolve} for the ND4J backend loaded in this JVM ({@link DeviceBinding#isCuda()}). */
  public SamplingDevice onLoadedBackend() {
    return resolve(DeviceBinding.nd4j().isCuda());
  }

  /**
   * The stepper this path samples {@code net} with; {@code auto} is resolved on the loaded backend.
   * The kernel copies the parameters now; the network stepper uses the network as it is.
   */
  public TokenStepper stepper(MultiLayerNetwork net) {
    return switch (onLoadedBackend()) {
      case NETWORK -> NetworkStepper.of(net);
      case CPU_KERNEL -> LstmKernel.of(net);
      case AUTO -> throw new IllegalStateException("auto resolves to a concrete path");
    };
  }
}
