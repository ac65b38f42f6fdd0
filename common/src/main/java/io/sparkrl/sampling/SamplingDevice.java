package io.sparkrl.sampling;

import io.sparkrl.policy.DeviceBinding;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Where sampling runs ({@code sparkrl.sampling.device}): {@code cpu-kernel} is the policy's plain
 * Java kernel on the executor's CPU core (the LSTM's: bit-identical completions whatever the
 * batch); {@code network} is the policy's ND4J ops, on the task's GPU under the CUDA backend;
 * {@code auto} is {@code network} when ND4J's backend is CUDA, else {@code cpu-kernel}. Each
 * policy architecture maps these onto its own paths ({@link io.sparkrl.policy.PolicyModel#stepper}).
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

}
