package io.sparkrl.policy;

import com.typesafe.config.Config;
import io.sparkrl.settings.Section;
import java.io.Serializable;

/**
 * Settings under {@code sparkrl.policy}: the shape of the network, its initial seed, and its
 * context: the most characters (tokens) a prompt may have ({@code max-prompt-tokens}).
 */
public record PolicySettings(int embeddingSize, int hiddenSize, int layers, long initSeed,
    int maxPromptTokens) implements Serializable {

  public PolicySettings {
    if (embeddingSize < 1 || hiddenSize < 1 || layers < 1 || maxPromptTokens < 1) {
      throw new IllegalArgumentException("policy sizes must be positive: " + embeddingSize + ", "
          + hiddenSize + ", " + layers + ", " + maxPromptTokens);
    }
  }

  public static PolicySettings from(Config config) {
    Section s = new Section(config, "sparkrl.policy");
    return new PolicySettings(s.intIn("embedding-size", 1, 4096), s.intIn("hidden-size", 1, 4096),
        s.intIn("layers", 1, 16), s.anyLong("init-seed"), s.intIn("max-prompt-tokens", 1, 1_000_000));
  }
}
