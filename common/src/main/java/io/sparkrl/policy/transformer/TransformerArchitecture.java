package io.sparkrl.policy.transformer;

import io.sparkrl.policy.Architectures;
import io.sparkrl.policy.PolicyArchitecture;
import io.sparkrl.policy.PolicyModel;
import io.sparkrl.policy.PolicySettings;
import io.sparkrl.policy.PolicySnapshot;
import io.sparkrl.policy.TransformerSettings;
import io.sparkrl.tokenizer.Tokenizer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;

/**
 * A decoder-only transformer ({@link TransformerShape}): Llama family or GPT-2, its parameters one
 * flat float vector laid out as Hugging Face names its tensors ({@link TransformerLayout}). In a
 * checkpoint it is a {@code policy.bin} (shape, tokenizer and parameters).
 */
public record TransformerArchitecture(TransformerShape shape) implements PolicyArchitecture {
  public static final String NAME = "transformer";

  /** How {@link Architectures} builds and reads transformers. */
  public static final Architectures.Kind KIND = new Architectures.Kind() {
    @Override
    public PolicyArchitecture fromShapeJson(String shapeJson) {
      return new TransformerArchitecture(TransformerShape.fromJson(shapeJson));
    }

    @Override
    public PolicySnapshot fresh(PolicySettings settings, Tokenizer tokenizer) {
      TransformerShape shape = shape(settings.transformer(), tokenizer.size());
      return new PolicySnapshot(new TransformerArchitecture(shape),
          TransformerInit.parameters(shape, settings.initSeed()), tokenizer, 0);
    }
  };

  /** The shape of {@code sparkrl.policy.transformer} over a vocabulary of {@code vocabularySize}. */
  public static TransformerShape shape(TransformerSettings s, int vocabularySize) {
    TransformerFamily family = TransformerFamily.valueOf(s.family().toUpperCase(Locale.ROOT));
    return new TransformerShape(family, vocabularySize, s.layers(), s.modelWidth(), s.heads(),
        s.kvHeads(), s.mlpWidth(), s.maxPositions(), s.ropeTheta(), s.normEpsilon(),
        family == TransformerFamily.GPT2 || s.attentionBias(),
        family == TransformerFamily.GPT2 || s.tiedHead());
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String shapeJson() {
    return shape.toJson();
  }

  @Override
  public int parameterCount() {
    return TransformerLayout.of(shape).parameterCount();
  }

  @Override
  public int vocabularySize() {
    return shape.vocabularySize();
  }

  @Override
  public PolicyModel newModel(float[] parameters) {
    return new TransformerModel(shape, parameters);
  }

  @Override
  public Map<String, byte[]> checkpointFiles(PolicySnapshot policy) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    policy.writeTo(out);
    return Map.of(Architectures.POLICY_FILE, out.toByteArray());
  }

  @Override
  public String toString() {
    return "transformer(" + shape.family().name().toLowerCase(Locale.ROOT) + ", "
        + parameterCount() + " parameters, vocabulary " + shape.vocabularySize() + ")";
  }
}
