package io.sparkrl.hf;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkrl.policy.PolicySnapshot;
import io.sparkrl.policy.transformer.TransformerArchitecture;
import io.sparkrl.tokenizer.FramedTokenizer;
import io.sparkrl.tokenizer.Tokenizer;
import io.sparkrl.tokenizer.bpe.BpeTokenizer;
import io.sparkrl.tokenizer.bpe.TokenizerConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * A Hugging Face model folder as a transformer policy: {@code config.json} ({@link HfConfig}), the
 * safetensors ({@link HfWeights}) and the tokenizer: {@code tokenizer.json} (a byte-level BPE),
 * with {@code tokenizer_config.json} when present (EOS, {@code add_bos_token}; the file is kept
 * for export). EOS is, in order: tokenizer_config.json's {@code eos_token},
 * {@code generation_config.json}'s first {@code eos_token_id}, config.json's first
 * {@code eos_token_id}, the tokenizer's conventional one. A tokenizer with fewer ids than
 * {@code vocab_size} is padded ({@link FramedTokenizer}); one with more is refused.
 *
 * <p>Cheap checks come first: config.json, then the tokenizer, then every safetensors header,
 * and only then the tensors' values are read.
 */
public final class HfImport {
  public static final String TOKENIZER = BpeTokenizer.FILE_NAME;
  public static final String TOKENIZER_CONFIG = TokenizerConfig.FILE_NAME;
  public static final String GENERATION_CONFIG = "generation_config.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * @param policy the policy at step 0
   * @param dtype the checkpoint's tensors' dtype (F32 when mixed): the export's default
   */
  public record Model(PolicySnapshot policy, SafetensorsDtype dtype, HfConfig config) {}

  private HfImport() {}

  /** Whether the folder looks like a Hugging Face model (it has config.json). */
  public static boolean isModelFolder(HfFolder folder) throws IOException {
    return folder.exists(HfConfig.FILE_NAME);
  }

  /** The folder's model with prompts as they are. */
  public static Model read(HfFolder folder) throws IOException {
    return read(folder, null);
  }

  /** The folder's model, prompts wrapped in {@code template} (null or "" for none). */
  public static Model read(HfFolder folder, String template) throws IOException {
    HfConfig config = config(folder);
    Tokenizer tokenizer = tokenizer(folder, config, template);
    HfWeights.Loaded weights = HfWeights.read(folder, config);
    return new Model(new PolicySnapshot(new TransformerArchitecture(config.shape()),
        weights.parameters(), tokenizer, 0), weights.dtype(), config);
  }

  public static HfConfig config(HfFolder folder) throws IOException {
    if (!folder.exists(HfConfig.FILE_NAME)) {
      throw new HfFormatException(folder.describe(HfConfig.FILE_NAME), "no such file (not a"
          + " Hugging Face model folder)");
    }
    try (InputStream in = folder.open(HfConfig.FILE_NAME)) {
      return HfConfig.read(folder.describe(HfConfig.FILE_NAME), in);
    }
  }

  /** The folder's tokenizer, sized to the model's vocabulary, with its EOS. */
  public static Tokenizer tokenizer(HfFolder folder, HfConfig config, String template)
      throws IOException {
    if (!folder.exists(TOKENIZER)) {
      throw new HfFormatException(folder.describe(TOKENIZER), "no such file: the model's"
          + " tokenizer is needed (only tokenizer.json, a byte-level BPE, is read)");
    }
    String source = folder.describe(TOKENIZER);
    BpeTokenizer t;
    try (InputStream in = folder.open(TOKENIZER)) {
      t = BpeTokenizer.read(source, in);
    }
    String configText = null;
    boolean eosNamed = false;
    if (folder.exists(TOKENIZER_CONFIG)) {
      String configSource = folder.describe(TOKENIZER_CONFIG);
      try (InputStream in = folder.open(TOKENIZER_CONFIG)) {
        configText = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      TokenizerConfig tc = TokenizerConfig.read(configSource,
          new ByteArrayInputStream(configText.getBytes(StandardCharsets.UTF_8)));
      try {
        t = t.withConfig(tc);
      } catch (IllegalArgumentException e) {
        throw new HfFormatException(configSource, e.getMessage(), e);
      }
      eosNamed = tc.eosToken() != null;
    }
    if (!eosNamed) {
      Integer eos = generationEos(folder);
      String from = folder.describe(GENERATION_CONFIG) + " eos_token_id";
      if (eos == null && !config.eosTokenIds().isEmpty()) {
        eos = config.eosTokenIds().get(0);
        from = folder.describe(HfConfig.FILE_NAME) + " eos_token_id";
      }
      if (eos != null) {
        try {
          t = t.withEos(eos);
        } catch (IllegalArgumentException e) {
          throw new HfFormatException(from, eos + ": " + e.getMessage(), e);
        }
      }
    }
    try {
      t.eosToken();
    } catch (IllegalStateException e) {
      throw new HfFormatException(source, "no EOS token: " + e.getMessage(), e);
    }
    int vocabulary = config.shape().vocabularySize();
    if (t.size() > vocabulary) {
      throw new HfFormatException(source, "has " + t.size() + " token ids but "
          + folder.describe(HfConfig.FILE_NAME) + " vocab_size = " + vocabulary
          + ": the model has no output for the ids above");
    }
    try {
      return FramedTokenizer.of(t, vocabulary, template, configText);
    } catch (IllegalArgumentException e) {
      throw new HfFormatException("sparkrl.tokenizer.template", e.getMessage(), e);
    }
  }

  /** generation_config.json's eos_token_id (the first of a list), or null. */
  private static Integer generationEos(HfFolder folder) throws IOException {
    if (!folder.exists(GENERATION_CONFIG)) {
      return null;
    }
    String source = folder.describe(GENERATION_CONFIG);
    JsonNode root;
    try (InputStream in = folder.open(GENERATION_CONFIG)) {
      root = JSON.readTree(in);
    } catch (JsonProcessingException e) {
      throw new HfFormatException(source, "not valid JSON: " + e.getOriginalMessage(), e);
    }
    JsonNode eos = root == null ? null : root.get("eos_token_id");
    if (eos == null || eos.isNull()) {
      return null;
    }
    JsonNode first = eos.isArray() ? eos.get(0) : eos;
    if (first == null || !first.isIntegralNumber()) {
      throw new HfFormatException(source, "eos_token_id = " + eos + ": must be an integer or a"
          + " list of integers");
    }
    return first.intValue();
  }
}
