package io.sparkrl.policy;

import io.sparkrl.settings.Section;
import io.sparkrl.settings.SettingsException;
import java.io.Serializable;
import java.util.Set;

/**
 * Settings under {@code sparkrl.policy.transformer}: the shape of a fresh transformer policy (the
 * vocabulary size comes from the tokenizer). A policy read from a file keeps its own shape.
 */
public record TransformerSettings(String family, int layers, int modelWidth, int heads,
    int kvHeads, int mlpWidth, int maxPositions, double ropeTheta, double normEpsilon,
    boolean attentionBias, boolean tiedHead) implements Serializable {

  public static final Set<String> FAMILIES = Set.of("llama", "gpt2");

  static TransformerSettings from(Section policy) {
    Section s = policy.child("transformer");
    String family = s.oneOf("family", FAMILIES);
    int heads = s.intIn("heads", 1, 1024);
    int width = s.intIn("model-width", 1, 65536);
    if (width % heads != 0) {
      throw new SettingsException("sparkrl.policy.transformer.model-width", width,
          "must be a multiple of sparkrl.policy.transformer.heads (" + heads + ")");
    }
    int kvHeads = s.intIn("kv-heads", 1, 1024);
    if (family.equals("gpt2") ? kvHeads != heads : kvHeads > heads || heads % kvHeads != 0) {
      throw new SettingsException("sparkrl.policy.transformer.kv-heads", kvHeads,
          family.equals("gpt2") ? "must equal sparkrl.policy.transformer.heads (" + heads
              + ") for gpt2" : "must divide sparkrl.policy.transformer.heads (" + heads + ")");
    }
    return new TransformerSettings(family, s.intIn("layers", 1, 256), width, heads, kvHeads,
        s.intIn("mlp-width", 1, 1 << 20), s.intIn("max-positions", 1, 1 << 20),
        s.doubleAbove("rope-theta", 0, 1e12), s.doubleAbove("norm-epsilon", 0, 1),
        s.bool("attention-bias"), s.bool("tied-head"));
  }
}
