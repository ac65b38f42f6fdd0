package io.sparkrl.policy;

import com.typesafe.config.Config;
import io.sparkrl.settings.Section;
import java.io.Serializable;

/**
 * Settings under {@code sparkrl.policy}: which architecture, the LSTM's shape, the transformer's
 * shape ({@link TransformerSettings}), the initial seed, and the most characters a prompt may have
 * ({@code max-prompt-tokens}).
 */
public record PolicySettings(String architecture, int embeddingSize, int hiddenSize, int layers,
    long initSeed, int maxPromptTokens, TransformerSettings transformer) implements Serializable {

  public PolicySettings {
    if (embeddingSize < 1 || hiddenSize < 1 || layers < 1 || maxPromptTokens < 1) {
      throw new IllegalArgumentException("policy sizes must be positive: " + embeddingSize + ", "
          + hiddenSize + ", " + layers + ", " + maxPromptTokens);
    }
  }

  /** An LSTM policy of this shape (what tests and benchmarks build by hand). */
  public PolicySettings(int embeddingSize, int hiddenSize, int layers, long initSeed,
      int maxPromptTokens) {
    this("lstm", embeddingSize, hiddenSize, layers, initSeed, maxPromptTokens, null);
  }

  public static PolicySettings from(Config config) {
    Section s = new Section(config, "sparkrl.policy");
    return new PolicySettings(s.oneOf("architecture", Architectures.names()),
        s.intIn("embedding-size", 1, 4096), s.intIn("hidden-size", 1, 4096),
        s.intIn("layers", 1, 16), s.anyLong("init-seed"), s.intIn("max-prompt-tokens", 1, 1_000_000),
        TransformerSettings.from(s));
  }

  /** The same settings with another architecture and transformer shape. */
  public PolicySettings withTransformer(TransformerSettings shape) {
    return new PolicySettings("transformer", embeddingSize, hiddenSize, layers, initSeed,
        maxPromptTokens, shape);
  }
}
