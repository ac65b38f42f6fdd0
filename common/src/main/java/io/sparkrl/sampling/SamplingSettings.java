package io.sparkrl.sampling;

import com.typesafe.config.Config;
import io.sparkrl.settings.Section;
import java.io.Serializable;

/** Settings under {@code sparkrl.sampling}. */
public record SamplingSettings(int groupSize, double temperature, int topK, double topP,
    int maxNewTokens) implements Serializable {

  public SamplingSettings {
    if (groupSize < 1 || !(temperature > 0) || topK < 0 || !(topP > 0 && topP <= 1)
        || maxNewTokens < 1) {
      throw new IllegalArgumentException("invalid sampling settings: " + groupSize + ", "
          + temperature + ", " + topK + ", " + topP + ", " + maxNewTokens);
    }
  }

  public static SamplingSettings from(Config config) {
    Section s = new Section(config, "sparkrl.sampling");
    return new SamplingSettings(s.intIn("group-size", 1, 1024), s.doubleAbove("temperature", 0, 100),
        s.nonNegativeInt("top-k"), s.doubleAbove("top-p", 0, 1), s.intIn("max-new-tokens", 1, 4096));
  }

  /** Greedy decoding (evaluation): one completion per prompt, the most likely token each time. */
  public static SamplingSettings greedy(int maxNewTokens) {
    return new SamplingSettings(1, 1.0, 1, 1.0, maxNewTokens);
  }

  public boolean isGreedy() {
    return topK == 1;
  }
}
