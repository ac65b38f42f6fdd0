package io.sparkrl.policy.transformer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Serializable;
import java.util.Iterator;
import java.util.Set;

/**
 * The hyper-parameters that fix a decoder-only transformer's tensors and maths.
 *
 * @param family the architecture (norms, positions, MLP, biases)
 * @param vocabularySize V: embedding rows and logits per position
 * @param layers decoder blocks
 * @param modelWidth d: the residual stream's width
 * @param heads query heads; {@link #headDim()} = d / heads
 * @param kvHeads key/value heads (grouped-query attention): each serves heads / kvHeads query
 *     heads; GPT-2 has kvHeads == heads
 * @param mlpWidth the MLP's hidden width (Llama's intermediate_size, GPT-2's n_inner)
 * @param maxPositions the longest sequence the model may read (GPT-2: rows of its position table)
 * @param ropeTheta the rotary base (Llama; ignored by GPT-2)
 * @param normEpsilon the epsilon inside RMSNorm / LayerNorm
 * @param attentionBias whether q/k/v projections have biases (optional for Llama, e.g. Qwen2 has
 *     them; always true for GPT-2)
 * @param tiedHead whether the output head is the token embedding (always true for GPT-2)
 */
public record TransformerShape(TransformerFamily family, int vocabularySize, int layers,
    int modelWidth, int heads, int kvHeads, int mlpWidth, int maxPositions, double ropeTheta,
    double normEpsilon, boolean attentionBias, boolean tiedHead) implements Serializable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> KEYS = Set.of("family", "vocabulary_size", "layers",
      "model_width", "heads", "kv_heads", "mlp_width", "max_positions", "rope_theta",
      "norm_epsilon", "attention_bias", "tied_head");

  public TransformerShape {
    if (family == null) {
      throw new IllegalArgumentException("transformer family is null");
    }
    positive("vocabularySize", vocabularySize);
    positive("layers", layers);
    positive("modelWidth", modelWidth);
    positive("heads", heads);
    positive("kvHeads", kvHeads);
    positive("mlpWidth", mlpWidth);
    positive("maxPositions", maxPositions);
    if (modelWidth % heads != 0) {
      throw new IllegalArgumentException("modelWidth " + modelWidth + " is not a multiple of heads "
          + heads);
    }
    if (kvHeads > heads || heads % kvHeads != 0) {
      throw new IllegalArgumentException("kvHeads " + kvHeads + " must divide heads " + heads);
    }
    if (!(normEpsilon > 0) || Double.isInfinite(normEpsilon)) {
      throw new IllegalArgumentException("normEpsilon " + normEpsilon + " must be positive");
    }
    if (family == TransformerFamily.LLAMA) {
      if ((modelWidth / heads) % 2 != 0) {
        throw new IllegalArgumentException("head dimension " + modelWidth / heads
            + " must be even for rotary embeddings");
      }
      if (!(ropeTheta > 1) || Double.isInfinite(ropeTheta)) {
        throw new IllegalArgumentException("ropeTheta " + ropeTheta + " must be above 1");
      }
    } else {
      if (kvHeads != heads) {
        throw new IllegalArgumentException("GPT-2 has kvHeads == heads, got kvHeads " + kvHeads
            + " for heads " + heads);
      }
      if (!attentionBias) {
        throw new IllegalArgumentException("GPT-2 always has attention biases");
      }
      if (!tiedHead) {
        throw new IllegalArgumentException("GPT-2's head is always tied to its embedding");
      }
    }
  }

  /** A Llama-family shape (RMSNorm, RoPE, GQA, SwiGLU). */
  public static TransformerShape llama(int vocabularySize, int layers, int modelWidth, int heads,
      int kvHeads, int mlpWidth, int maxPositions, double ropeTheta, double normEpsilon,
      boolean attentionBias, boolean tiedHead) {
    return new TransformerShape(TransformerFamily.LLAMA, vocabularySize, layers, modelWidth, heads,
        kvHeads, mlpWidth, maxPositions, ropeTheta, normEpsilon, attentionBias, tiedHead);
  }

  /** A GPT-2 shape (kvHeads = heads, biases, tied head; ropeTheta unused, stored as 10000). */
  public static TransformerShape gpt2(int vocabularySize, int layers, int modelWidth, int heads,
      int mlpWidth, int maxPositions, double normEpsilon) {
    return new TransformerShape(TransformerFamily.GPT2, vocabularySize, layers, modelWidth, heads,
        heads, mlpWidth, maxPositions, 10000, normEpsilon, true, true);
  }

  private static void positive(String name, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " " + value + " must be at least 1");
    }
  }

  /** d / heads. */
  public int headDim() {
    return modelWidth / heads;
  }

  /** Query heads per key/value head. */
  public int groupSize() {
    return heads / kvHeads;
  }

  /** The shape as JSON with stable snake_case keys (the inverse of {@link #fromJson}). */
  public String toJson() {
    ObjectNode o = JSON.createObjectNode();
    o.put("family", family.name().toLowerCase());
    o.put("vocabulary_size", vocabularySize);
    o.put("layers", layers);
    o.put("model_width", modelWidth);
    o.put("heads", heads);
    o.put("kv_heads", kvHeads);
    o.put("mlp_width", mlpWidth);
    o.put("max_positions", maxPositions);
    o.put("rope_theta", ropeTheta);
    o.put("norm_epsilon", normEpsilon);
    o.put("attention_bias", attentionBias);
    o.put("tied_head", tiedHead);
    try {
      return JSON.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads {@link #toJson}'s form; every key is required and unknown keys are rejected. */
  public static TransformerShape fromJson(String json) {
    JsonNode o;
    try {
      o = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("transformer shape is not valid JSON: " + e.getMessage(), e);
    }
    if (o == null || !o.isObject()) {
      throw new IllegalArgumentException("transformer shape must be a JSON object: " + json);
    }
    for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!KEYS.contains(key)) {
        throw new IllegalArgumentException("unknown transformer shape key '" + key + "'");
      }
    }
    String familyName = text(o, "family");
    TransformerFamily family;
    try {
      family = TransformerFamily.valueOf(familyName.toUpperCase());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown transformer family '" + familyName + "'");
    }
    return new TransformerShape(family, integer(o, "vocabulary_size"), integer(o, "layers"),
        integer(o, "model_width"), integer(o, "heads"), integer(o, "kv_heads"),
        integer(o, "mlp_width"), integer(o, "max_positions"), number(o, "rope_theta"),
        number(o, "norm_epsilon"), bool(o, "attention_bias"), bool(o, "tied_head"));
  }

  private static JsonNode field(JsonNode o, String key) {
    JsonNode n = o.get(key);
    if (n == null || n.isNull()) {
      throw new IllegalArgumentException("transformer shape lacks '" + key + "'");
    }
    return n;
  }

  private static String text(JsonNode o, String key) {
    JsonNode n = field(o, key);
    if (!n.isTextual()) {
      throw new IllegalArgumentException("transformer shape '" + key + "' must be a string: " + n);
    }
    return n.asText();
  }

  private static int integer(JsonNode o, String key) {
    JsonNode n = field(o, key);
    if (!n.canConvertToInt() || !n.isIntegralNumber()) {
      throw new IllegalArgumentException("transformer shape '" + key + "' must be an int: " + n);
    }
    return n.intValue();
  }

  private static double number(JsonNode o, String key) {
    JsonNode n = field(o, key);
    if (!n.isNumber()) {
      throw new IllegalArgumentException("transformer shape '" + key + "' must be a number: " + n);
    }
    return n.doubleValue();
  }

  private static boolean bool(JsonNode o, String key) {
    JsonNode n = field(o, key);
    if (!n.isBoolean()) {
      throw new IllegalArgumentException("transformer shape '" + key + "' must be a boolean: " + n);
    }
    return n.booleanValue();
  }
}
