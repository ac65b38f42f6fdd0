package io.sparkrl.policy;

import java.io.IOException;
import java.io.Serializable;
import java.util.Map;

/**
 * What kind of network a policy is, with its shape: the seam between the REINFORCE core and the
 * policy's maths. The sampler, the gradient, the executor cache, evaluation, SFT and checkpoints
 * reach a policy only through this and {@link PolicyModel}; its parameters are always one flat
 * float vector (so AdamW, gradient sums, snapshots and the broadcast know nothing of layers).
 *
 * <p>Implementations: {@link io.sparkrl.policy.lstm.LstmArchitecture} (the character LSTM) and
 * {@link io.sparkrl.policy.transformer.TransformerArchitecture} (decoder-only transformers).
 * They are immutable and serializable: one travels in every broadcast {@link PolicySnapshot}.
 */
public interface PolicyArchitecture extends Serializable {
  /** The name {@code sparkrl.policy.architecture} gives it, also written in policy files. */
  String name();

  /** The shape in a stable text form; {@link Architectures#read} turns it back. */
  String shapeJson();

  int parameterCount();

  /** The output width: the tokenizer's size when the policy was built. */
  int vocabularySize();

  /** A new engine over {@code parameters}, for one thread (engines are not thread-safe). */
  PolicyModel newModel(float[] parameters);

  /**
   * The policy's files inside a checkpoint folder, name to content; {@link Architectures#read}
   * reads them back. Must include whatever identifies the architecture and the tokenizer.
   */
  Map<String, byte[]> checkpointFiles(PolicySnapshot policy) throws IOException;
}
