package io.sparkrl.tokenizer.bpe;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What this project takes from a Hugging Face {@code tokenizer_config.json}: the EOS and BOS
 * token names (written either as a string or as an added-token object with {@code content}),
 * {@code add_bos_token} / {@code add_eos_token} when present (null when absent), and the chat
 * template(s), kept as text and never executed. A template given as a list of
 * {@code {"name", "template"}} is kept by name; {@link #chatTemplate()} is the one named
 * {@code default}, or the only one, or the plain string.
 */
public record TokenizerConfig(String eosToken, String bosToken, Boolean addBosToken,
    Boolean addEosToken, String chatTemplate, Map<String, String> chatTemplates)
    implements Serializable {
  public static final String FILE_NAME = "tokenizer_config.json";

  public TokenizerConfig {
    chatTemplates = Collections.unmodifiableMap(new LinkedHashMap<>(chatTemplates));
  }

  public static TokenizerConfig read(String source, InputStream in) throws IOException {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(in);
    } catch (JsonProcessingException e) {
      throw new TokenizerFormatException(source, "not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new TokenizerFormatException(source, "not a JSON object");
    }
    Map<String, String> templates = new LinkedHashMap<>();
    String template = null;
    JsonNode t = root.get("chat_template");
    if (t != null && t.isTextual()) {
      template = t.asText();
    } else if (t != null && t.isArray()) {
      for (JsonNode entry : t) {
        if (!entry.path("name").isTextual() || !entry.path("template").isTextual()) {
          throw new TokenizerFormatException(source, "chat_template entries need a \"name\" and a \"template\" string: " + entry);
        }
        templates.put(entry.get("name").asText(), entry.get("template").asText());
      }
      template = templates.containsKey("default") ? templates.get("default")
          : templates.size() == 1 ? templates.values().iterator().next() : null;
    } else if (t != null && !t.isNull()) {
      throw new TokenizerFormatException(source, "chat_template is neither a string nor a list: " + t.getNodeType());
    }
    return new TokenizerConfig(tokenName(source, root, "eos_token"), tokenName(source, root, "bos_token"),
        flag(root, "add_bos_token"), flag(root, "add_eos_token"), template, templates);
  }

  private static String tokenName(String source, JsonNode root, String key) throws TokenizerFormatException {
    JsonNode n = root.get(key);
    if (n == null || n.isNull()) {
      return null;
    }
    if (n.isTextual()) {
      return n.asText();
    }
    if (n.isObject() && n.path("content").isTextual()) {
      return n.get("content").asText();
    }
    throw new TokenizerFormatException(source, key + " is neither a string nor an object with \"content\": " + n);
  }

  private static Boolean flag(JsonNode root, String key) {
    JsonNode n = root.get(key);
    return n != null && n.isBoolean() ? n.asBoolean() : null;
  }
}
