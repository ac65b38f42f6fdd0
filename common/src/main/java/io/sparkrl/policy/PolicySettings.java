package io.sparkrl.policy;

import com.typesafe.config.Config;
import io.sparkrl.settings.Section;
import java.io.Serializable;

/** Settings under {@code sparkrl.policy}: the shape of the network and its initial seed. */
public record PolicySettings(int embeddingSize, int hiddenSize, int layers, long initSeed)
    implements Serializable {

  public PolicySettings {
    if (embeddingSize < 1 || hiddenSize < 1 || layers < 1) {
      throw new IllegalArgumentException("policy sizes must be positive: " + embeddingSize + ", "
          + hiddenSize + ", " + layers);
    }
  }

  public static PolicySettings from(Config config) {
    Section s = new Section(config, "sparkrl.policy");
    return new PolicySettings(s.intIn("embedding-size", 1, 4096), s.intIn("hidden-size", 1, 4096),
        s.intIn("layers", 1, 16), s.anyLong("init-seed"));
  }
}
