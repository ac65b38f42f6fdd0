package io.sparkrl.policy;

import io.sparkrl.gradient.GradientEngine;
import io.sparkrl.gradient.LossSettings;
import io.sparkrl.sampling.SamplingDevice;
import io.sparkrl.sampling.TokenStepper;

/**
 * A policy's engine on one thread: sampling steps and gradient passes over its current parameters.
 * Built once per thread and role by {@link PolicyCache} and refreshed in place each step.
 */
public interface PolicyModel {
  /** Replaces the parameters (same architecture); engines handed out before see the new values. */
  void load(float[] parameters);

  /**
   * The one-token steps the sampler drives, on {@code device} ({@code auto} already resolved by the
   * caller or resolved here on the loaded backend). An architecture with a single path ignores it.
   *
   * @param maxNewTokens the most tokens a completion may add to its prompt (a key/value cache is
   *     sized for it)
   */
  TokenStepper stepper(SamplingDevice device, int maxNewTokens);

  /**
   * The backward pass that gives gradient sums and log-probs.
   *
   * @param backend {@code fast} (the architecture's fastest exact path) or {@code dl4j} (the
   *     backend-agnostic reference the fast path is tested against)
   * @param role "policy", "reference", ...: engines of different roles keep separate buffers
   */
  GradientEngine gradient(LossSettings.Backend backend, String role);
}
