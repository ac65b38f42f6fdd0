package io.sparkrl.hf;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrl.policy.PolicySnapshot;
import io.sparkrl.policy.transformer.TransformerArchitecture;
import io.sparkrl.policy.transformer.TransformerFamily;
import io.sparkrl.policy.transformer.TransformerLayout;
import io.sparkrl.policy.transformer.TransformerShape;
import io.sparkrl.tokenizer.FramedTokenizer;
import io.sparkrl.tokenizer.Tokenizer;
import io.sparkrl.tokenizer.bpe.BpeTokenizer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A transformer policy as a Hugging Face model folder that {@code transformers} and vLLM load as
 * it is:
 *
 * <ul>
 *   <li>{@code model.safetensors}: every tensor of the layout, with Hugging Face's names and
 *       shapes, in state-dict order, in the dtype asked for (F32 keeps the float32 values bit for
 *       bit; an F16/BF16 checkpoint imported and exported in its own dtype is bit-identical);
 *   <li>{@code config.json}: Llama family without biases as {@code LlamaForCausalLM}, with q/k/v
 *       biases as {@code Qwen2ForCausalLM} (the architecture whose tensors these are), GPT-2 as
 *       {@code GPT2LMHeadModel};
 *   <li>{@code generation_config.json}: the EOS (and BOS) ids;
 *   <li>{@code tokenizer.json} and {@code tokenizer_config.json} when the tokenizer is a
 *       byte-level BPE (the imported tokenizer_config.json as it was, else a minimal one). A
 *       character vocabulary has no Hugging Face form: the folder then has no tokenizer files
 *       ({@link Written#tokenizer()} is false).
 * </ul>
 * A prompt template ({@link FramedTokenizer}) is not written: it is sparkrl's, not Jinja.
 */
public final class HfExport {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** The files written, and whether they include the tokenizer. */
  public record Written(List<String> files, boolean tokenizer) {}

  private HfExport() {}

  public static Written write(PolicySnapshot policy, SafetensorsDtype dtype, HfOutput out)
      throws IOException {
    if (!(policy.architecture() instanceof TransformerArchitecture transformer)) {
      throw new IllegalArgumentException("only transformer policies have a Hugging Face form, not "
          + policy.architecture());
    }
    TransformerShape shape = transformer.shape();
    TransformerLayout layout = TransformerLayout.of(shape);
    List<String> files = new ArrayList<>();
    List<SafetensorsWriter.Tensor> tensors = new ArrayList<>();
    for (TransformerLayout.Tensor t : layout.tensors()) {
      long[] dims = new long[t.shape().length];
      for (int i = 0; i < dims.length; i++) {
        dims[i] = t.shape()[i];
      }
      tensors.add(new SafetensorsWriter.Tensor(t.name(), dtype, dims, policy.parameters(),
          t.offset()));
    }
    try (OutputStream o = out.create(HfWeights.SINGLE_FILE)) {
      SafetensorsWriter.write(new java.io.BufferedOutputStream(o, 1 << 16), tensors);
    }
    files.add(HfWeights.SINGLE_FILE);
    Tokenizer tokenizer = policy.tokenizer();
    Tokenizer base = FramedTokenizer.base(tokenizer);
    int eos = tokenizer.eosToken();
    Integer bos = bos(base);
    boolean hasTokenizer = base instanceof BpeTokenizer;
    if (hasTokenizer) {
      BpeTokenizer bpe = (BpeTokenizer) base;
      writeText(out, HfImport.TOKENIZER, bpe.toJson(), files);
      String config = FramedTokenizer.tokenizerConfigOf(tokenizer);
      writeText(out, HfImport.TOKENIZER_CONFIG, config != null ? config
          : tokenizerConfig(bpe, shape, bos) + "\n", files);
    }
    ObjectNode generation = JSON.createObjectNode();
    if (bos != null) {
      generation.put("bos_token_id", bos);
    }
    generation.put("eos_token_id", eos);
    writeText(out, HfImport.GENERATION_CONFIG, JSON.writeValueAsString(generation) + "\n", files);
    writeText(out, HfConfig.FILE_NAME, JSON.writeValueAsString(config(shape, dtype, bos, eos))
        + "\n", files);
    return new Written(files, hasTokenizer);
  }

  /** config.json for the shape. */
  public static ObjectNode config(TransformerShape s, SafetensorsDtype dtype, Integer bos, int eos) {
    ObjectNode c = JSON.createObjectNode();
    boolean gpt2 = s.family() == TransformerFamily.GPT2;
    boolean qwen2 = !gpt2 && s.attentionBias();
    c.putArray("architectures").add(gpt2 ? "GPT2LMHeadModel"
        : qwen2 ? "Qwen2ForCausalLM" : "LlamaForCausalLM");
    c.put("model_type", gpt2 ? "gpt2" : qwen2 ? "qwen2" : "llama");
    c.put("vocab_size", s.vocabularySize());
    if (gpt2) {
      c.put("n_embd", s.modelWidth());
      c.put("n_layer", s.layers());
      c.put("n_head", s.heads());
      c.put("n_inner", s.mlpWidth());
      c.put("n_positions", s.maxPositions());
      c.put("n_ctx", s.maxPositions());
      c.put("layer_norm_epsilon", s.normEpsilon());
      c.put("activation_function", "gelu_new");
      c.put("scale_attn_weights", true);
    } else {
      c.put("hidden_size", s.modelWidth());
      c.put("intermediate_size", s.mlpWidth());
      c.put("num_hidden_layers", s.layers());
      c.put("num_attention_heads", s.heads());
      c.put("num_key_value_heads", s.kvHeads());
      c.put("head_dim", s.headDim());
      c.put("max_position_embeddings", s.maxPositions());
      c.put("rope_theta", s.ropeTheta());
      c.putNull("rope_scaling");
      c.put("rms_norm_eps", s.normEpsilon());
      c.put("hidden_act", "silu");
      if (qwen2) {
        c.put("use_sliding_window", false);
        c.put("max_window_layers", s.layers());
      } else {
        c.put("attention_bias", false);
        c.put("mlp_bias", false);
      }
    }
    c.put("tie_word_embeddings", s.tiedHead());
    if (bos != null) {
      c.put("bos_token_id", bos);
    }
    c.put("eos_token_id", eos);
    c.put("torch_dtype", torchDtype(dtype));
    c.put("use_cache", true);
    return c;
  }

  public static String torchDtype(SafetensorsDtype dtype) {
    return switch (dtype) {
      case F32 -> "float32";
      case F16 -> "float16";
      case BF16 -> "bfloat16";
    };
  }

  /** The dtype a torch_dtype name ("float32", "bfloat16", "float16", "bf16", ...) stands for. */
  public static SafetensorsDtype dtypeOf(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "float32", "f32", "fp32" -> SafetensorsDtype.F32;
      case "bfloat16", "bf16" -> SafetensorsDtype.BF16;
      case "float16", "f16", "fp16" -> SafetensorsDtype.F16;
      default -> throw new IllegalArgumentException("unknown dtype \"" + name
          + "\" (float32, bfloat16 or float16)");
    };
  }

  private static Integer bos(Tokenizer base) {
    if (base instanceof BpeTokenizer bpe && bpe.promptPrefix().length == 1) {
      return bpe.promptPrefix()[0];
    }
    return null;
  }

  private static String tokenizerConfig(BpeTokenizer t, TransformerShape shape, Integer bos)
      throws IOException {
    ObjectNode c = JSON.createObjectNode();
    c.put("tokenizer_class", "PreTrainedTokenizerFast");
    c.put("eos_token", t.tokenName(t.eosToken()));
    if (bos != null) {
      c.put("bos_token", t.tokenName(bos));
    } else {
      c.putNull("bos_token");
    }
    c.put("add_bos_token", bos != null);
    c.put("model_max_length", shape.maxPositions());
    c.put("clean_up_tokenization_spaces", false);
    return JSON.writeValueAsString(c);
  }

  private static void writeText(HfOutput out, String name, String text, List<String> files)
      throws IOException {
    try (OutputStream o = out.create(name)) {
      o.write(text.getBytes(StandardCharsets.UTF_8));
    }
    files.add(name);
  }
}
