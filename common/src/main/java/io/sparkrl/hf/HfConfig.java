package io.sparkrl.hf;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkrl.policy.transformer.TransformerFamily;
import io.sparkrl.policy.transformer.TransformerShape;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What a Hugging Face {@code config.json} says about a causal language model, mapped onto a
 * {@link TransformerShape}, with every setting this project cannot reproduce refused by name.
 *
 * <p>Architectures ({@code architectures[0]}, else {@code model_type}):
 * <ul>
 *   <li>{@code LlamaForCausalLM}, {@code MistralForCausalLM}: the Llama family, no biases;
 *       {@code hidden_size}, {@code num_hidden_layers}, {@code num_attention_heads},
 *       {@code num_key_value_heads} (default: the heads), {@code intermediate_size},
 *       {@code max_position_embeddings}, {@code rope_theta} (10000), {@code rms_norm_eps}
 *       (1e-6), {@code tie_word_embeddings} (false). Refused: {@code attention_bias} or
 *       {@code mlp_bias} true (Llama's bias also sits on o_proj, which the layout has not),
 *       Mistral's {@code sliding_window} below {@code max_position_embeddings}.
 *   <li>{@code Qwen2ForCausalLM}: the same keys; q/k/v biases always; refused:
 *       {@code use_sliding_window} true, {@code layer_types} other than full attention.
 *   <li>{@code GPT2LMHeadModel}: {@code n_embd} (768), {@code n_layer} (12), {@code n_head} (12),
 *       {@code n_inner} (null = 4 n_embd), {@code n_positions} (1024), {@code layer_norm_epsilon}
 *       (1e-5), {@code activation_function} gelu_new or gelu_pytorch_tanh; refused:
 *       {@code scale_attn_weights} false, {@code scale_attn_by_inverse_layer_idx} true,
 *       {@code add_cross_attention} true, {@code tie_word_embeddings} false.
 * </ul>
 * For every Llama-family model: {@code hidden_act} must be silu, {@code rope_scaling} null (or a
 * {@code rope_parameters} of rope_type default), {@code head_dim} absent or hidden/heads; any
 * mixture-of-experts key or {@code quantization_config} is refused. Defaults are those of the
 * architecture's configuration class in {@code transformers}; {@code vocab_size} is required.
 *
 * @param architecture the architecture's class name ({@code LlamaForCausalLM}...)
 * @param bosTokenId {@code bos_token_id}, or null
 * @param eosTokenIds {@code eos_token_id} (a number or a list), empty when absent
 * @param torchDtype {@code torch_dtype} (or {@code dtype}), or null
 */
public record HfConfig(String architecture, TransformerShape shape, Integer bosTokenId,
    List<Integer> eosTokenIds, String torchDtype) {
  public static final String FILE_NAME = "config.json";

  /** Architecture class name to model_type. */
  public static final Map<String, String> ARCHITECTURES = Map.of("LlamaForCausalLM", "llama",
      "MistralForCausalLM", "mistral", "Qwen2ForCausalLM", "qwen2", "GPT2LMHeadModel", "gpt2");

  private static final List<String> MOE_KEYS = List.of("num_local_experts", "num_experts",
      "num_experts_per_tok", "moe_intermediate_size", "n_routed_experts",
      "shared_expert_intermediate_size", "decoder_sparse_step");
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  public HfConfig {
    eosTokenIds = List.copyOf(eosTokenIds);
  }

  /** Reads and checks {@code config.json}; {@code source} names it in messages. */
  public static HfConfig read(String source, InputStream in) throws IOException {
    JsonNode root;
    try {
      root = JSON.readTree(in);
    } catch (JsonProcessingException e) {
      throw new HfFormatException(source, "not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new HfFormatException(source, "not a JSON object");
    }
    return parse(source, root);
  }

  static HfConfig parse(String source, JsonNode root) throws HfFormatException {
    Keys k = new Keys(source, root);
    String architecture = architecture(k);
    String modelType = ARCHITECTURES.get(architecture);
    String declared = k.string("model_type", null);
    if (declared != null && !declared.equals(modelType)) {
      throw k.bad("model_type", "disagrees with architectures " + architecture + " (model_type "
          + modelType + ")");
    }
    if (k.present("quantization_config")) {
      throw k.bad("quantization_config", "quantized checkpoints are not supported (float weights"
          + " only)");
    }
    TransformerShape shape = modelType.equals("gpt2") ? gpt2(k) : llama(k, modelType);
    String dtype = k.string("torch_dtype", k.string("dtype", null));
    return new HfConfig(architecture, shape, k.optionalInt("bos_token_id"), k.intOrList(
        "eos_token_id"), dtype);
  }

  private static String architecture(Keys k) throws HfFormatException {
    JsonNode list = k.root.get("architectures");
    if (list != null && !list.isNull()) {
      if (!list.isArray() || list.size() != 1 || !list.get(0).isTextual()) {
        throw k.bad("architectures", "must be a list of one class name");
      }
      String name = list.get(0).asText();
      if (!ARCHITECTURES.containsKey(name)) {
        throw k.bad("architectures", "unsupported architecture " + name + " (supported: "
            + new TreeSet<>(ARCHITECTURES.keySet()) + ")");
      }
      return name;
    }
    String type = k.string("model_type", null);
    for (Map.Entry<String, String> e : ARCHITECTURES.entrySet()) {
      if (e.getValue().equals(type)) {
        return e.getKey();
      }
    }
    throw k.bad(type == null ? "architectures" : "model_type", "unsupported or missing"
        + " architecture (supported: " + new TreeSet<>(ARCHITECTURES.keySet()) + ")");
  }

  private static TransformerShape llama(Keys k, String modelType) throws HfFormatException {
    String act = k.string("hidden_act", "silu");
    if (!act.equals("silu")) {
      throw k.bad("hidden_act", "only silu (SwiGLU) is supported");
    }
    if (k.present("rope_scaling")) {
      throw k.bad("rope_scaling", "rope scaling is not supported (only plain RoPE)");
    }
    double theta = k.number("rope_theta", 10000.0);
    JsonNode ropeParameters = k.root.get("rope_parameters");
    if (ropeParameters != null && !ropeParameters.isNull()) {
      String type = ropeParameters.path("rope_type").asText("default");
      if (!type.equals("default")) {
        throw k.bad("rope_parameters", "rope_type " + type + " is not supported (only default)");
      }
      if (ropeParameters.has("rope_theta")) {
        theta = ropeParameters.get("rope_theta").asDouble();
      }
    }
    for (String moe : MOE_KEYS) {
      JsonNode n = k.root.get(moe);
      if (n != null && !n.isNull() && !(n.isNumber() && n.asDouble() == 0)) {
        throw k.bad(moe, "mixture-of-experts models are not supported");
      }
    }
    boolean bias;
    if (modelType.equals("qwen2")) {
      bias = true;
      if (k.bool("use_sliding_window", false)) {
        throw k.bad("use_sliding_window", "sliding-window attention is not supported");
      }
      JsonNode types = k.root.get("layer_types");
      if (types != null && types.isArray()) {
        for (JsonNode t : types) {
          if (!t.asText().equals("full_attention")) {
            throw k.bad("layer_types", "only full_attention layers are supported, not " + t);
          }
        }
      }
    } else {
      if (k.bool("attention_bias", false)) {
        throw k.bad("attention_bias", "attention biases of " + modelType + " (on q/k/v and o_proj)"
            + " are not supported");
      }
      bias = false;
    }
    if (k.bool("mlp_bias", false)) {
      throw k.bad("mlp_bias", "MLP biases are not supported");
    }
    int width = k.positiveInt("hidden_size", null);
    int heads = k.positiveInt("num_attention_heads", null);
    int kvHeads = k.positiveInt("num_key_value_heads", heads);
    int positions = k.positiveInt("max_position_embeddings", modelType.equals("qwen2") ? 32768
        : modelType.equals("mistral") ? 131072 : 2048);
    if (width % heads != 0) {
      throw k.bad("hidden_size", "is not a multiple of num_attention_heads (" + heads + ")");
    }
    if (kvHeads > heads || heads % kvHeads != 0) {
      throw k.bad("num_key_value_heads", "must divide num_attention_heads (" + heads + ")");
    }
    Integer headDim = k.optionalInt("head_dim");
    if (headDim != null && headDim != width / heads) {
      throw k.bad("head_dim", "differs from hidden_size / num_attention_heads = " + width / heads
          + " (not supported)");
    }
    if ((width / heads) % 2 != 0) {
      throw k.bad("hidden_size", "gives an odd head dimension " + width / heads + " (RoPE needs"
          + " it even)");
    }
    if (modelType.equals("mistral")) {
      Integer window = k.optionalInt("sliding_window");
      if (window != null && window < positions) {
        throw k.bad("sliding_window", "sliding-window attention is not supported (it is below"
            + " max_position_embeddings = " + positions + ")");
      }
    }
    if (!(theta > 1)) {
      throw k.bad("rope_theta", "must be above 1");
    }
    double eps = k.number("rms_norm_eps", 1e-6);
    double ropeTheta = theta;
    if (!(eps > 0 && eps < 1)) {
      throw k.bad("rms_norm_eps", "must be in (0, 1)");
    }
    return shape(k, () -> TransformerShape.llama(k.positiveInt("vocab_size", null),
        k.positiveInt("num_hidden_layers", null), width, heads, kvHeads,
        k.positiveInt("intermediate_size", null), positions, ropeTheta, eps, bias,
        k.bool("tie_word_embeddings", false)));
  }

  private static TransformerShape gpt2(Keys k) throws HfFormatException {
    String act = k.string("activation_function", "gelu_new");
    if (!act.equals("gelu_new") && !act.equals("gelu_pytorch_tanh")) {
      throw k.bad("activation_function", "only the tanh GELU (gelu_new, gelu_pytorch_tanh) is"
          + " supported");
    }
    if (!k.bool("scale_attn_weights", true)) {
      throw k.bad("scale_attn_weights", "unscaled attention is not supported");
    }
    if (k.bool("scale_attn_by_inverse_layer_idx", false)) {
      throw k.bad("scale_attn_by_inverse_layer_idx", "is not supported");
    }
    if (k.bool("add_cross_attention", false)) {
      throw k.bad("add_cross_attention", "cross-attention is not supported");
    }
    if (!k.bool("tie_word_embeddings", true)) {
      throw k.bad("tie_word_embeddings", "GPT-2's head is always the token embedding here");
    }
    int width = k.positiveInt("n_embd", 768);
    int heads = k.positiveInt("n_head", 12);
    if (width % heads != 0) {
      throw k.bad("n_embd", "is not a multiple of n_head (" + heads + ")");
    }
    Integer inner = k.optionalInt("n_inner");
    double eps = k.number("layer_norm_epsilon", 1e-5);
    if (!(eps > 0 && eps < 1)) {
      throw k.bad("layer_norm_epsilon", "must be in (0, 1)");
    }
    if (inner != null && inner < 1) {
      throw k.bad("n_inner", "must be positive or null");
    }
    return shape(k, () -> TransformerShape.gpt2(k.positiveInt("vocab_size", null),
        k.positiveInt("n_layer", 12), width, heads, inner == null ? 4 * width : inner,
        k.positiveInt("n_positions", 1024), eps));
  }

  private interface ShapeBuilder {
    TransformerShape build() throws HfFormatException;
  }

  private static TransformerShape shape(Keys k, ShapeBuilder b) throws HfFormatException {
    try {
      TransformerShape s = b.build();
      io.sparkrl.policy.transformer.TransformerLayout.of(s); // fails for > 2^31 parameters
      return s;
    } catch (IllegalArgumentException e) {
      throw new HfFormatException(k.source, "the model's shape is not supported: "
          + e.getMessage());
    }
  }

  /** The family's name in this project ({@link TransformerFamily}). */
  public TransformerFamily family() {
    return shape.family();
  }

  /** Typed access to config.json's keys; every error names the file, the key and the value. */
  private static final class Keys {
    final String source;
    final JsonNode root;

    Keys(String source, JsonNode root) {
      this.source = source;
      this.root = root;
    }

    HfFormatException bad(String key, String problem) {
      JsonNode v = root.get(key);
      return new HfFormatException(source, key + " = " + (v == null ? "(absent)" : v) + ": "
          + problem);
    }

    boolean present(String key) {
      JsonNode n = root.get(key);
      return n != null && !n.isNull();
    }

    String string(String key, String fallback) throws HfFormatException {
      JsonNode n = root.get(key);
      if (n == null || n.isNull()) {
        return fallback;
      }
      if (!n.isTextual()) {
        throw bad(key, "must be a string");
      }
      return n.asText();
    }

    boolean bool(String key, boolean fallback) throws HfFormatException {
      JsonNode n = root.get(key);
      if (n == null || n.isNull()) {
        return fallback;
      }
      if (!n.isBoolean()) {
        throw bad(key, "must be true or false");
      }
      return n.asBoolean();
    }

    double number(String key, double fallback) throws HfFormatException {
      JsonNode n = root.get(key);
      if (n == null || n.isNull()) {
        return fallback;
      }
      if (!n.isNumber()) {
        throw bad(key, "must be a number");
      }
      return n.asDouble();
    }

    Integer optionalInt(String key) throws HfFormatException {
      JsonNode n = root.get(key);
      if (n == null || n.isNull()) {
        return null;
      }
      if (!n.isIntegralNumber() || !n.canConvertToInt()) {
        throw bad(key, "must be an integer");
      }
      return n.intValue();
    }

    int positiveInt(String key, Integer fallback) throws HfFormatException {
      Integer v = optionalInt(key);
      if (v == null) {
        if (fallback == null) {
          throw bad(key, "is required");
        }
        return fallback;
      }
      if (v < 1) {
        throw bad(key, "must be at least 1");
      }
      return v;
    }

    List<Integer> intOrList(String key) throws HfFormatException {
      JsonNode n = root.get(key);
      List<Integer> out = new ArrayList<>();
      if (n == null || n.isNull()) {
        return out;
      }
      if (n.isArray()) {
        for (JsonNode e : n) {
          if (!e.isIntegralNumber()) {
            throw bad(key, "must be an integer or a list of integers");
          }
          out.add(e.intValue());
        }
        return out;
      }
      if (!n.isIntegralNumber()) {
        throw bad(key, "must be an integer or a list of integers");
      }
      out.add(n.intValue());
      return out;
    }
  }
}
