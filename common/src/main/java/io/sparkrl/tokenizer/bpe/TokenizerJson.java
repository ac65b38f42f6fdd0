package io.sparkrl.tokenizer.bpe;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reading and writing {@code tokenizer.json} (the Hugging Face tokenizers serialization). */
final class TokenizerJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private TokenizerJson() {}

  static BpeTokenizer read(String source, InputStream in) throws IOException {
    JsonNode parsed;
    try {
      parsed = JSON.readTree(in);
    } catch (JsonProcessingException e) {
      throw new TokenizerFormatException(source, "not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (parsed == null || !parsed.isObject()) {
      throw new TokenizerFormatException(source, "not a JSON object");
    }
    ObjectNode root = (ObjectNode) parsed;
    JsonNode modelNode = root.get("model");
    if (modelNode == null || !modelNode.isObject()) {
      throw new TokenizerFormatException(source, "no \"model\" object");
    }
    ObjectNode m = (ObjectNode) modelNode;
    String type = m.path("type").asText("BPE");
    if (!type.equals("BPE")) {
      throw new TokenizerFormatException(source, "model.type \"" + type
          + "\" is not supported (only BPE; WordPiece, Unigram and WordLevel are not)");
    }
    for (String key : new String[] {"continuing_subword_prefix", "end_of_word_suffix"}) {
      if (!m.path(key).asText("").isEmpty()) {
        throw new TokenizerFormatException(source, "model." + key + " \"" + m.get(key).asText()
            + "\" is not supported (byte-level BPE has none)");
      }
    }
    if (m.hasNonNull("dropout") && m.get("dropout").asDouble() != 0) {
      throw new TokenizerFormatException(source, "model.dropout " + m.get("dropout")
          + " is not supported (it makes encoding random)");
    }
    Map<String, Integer> vocab = readVocab(source, m.get("vocab"));
    JsonNode mergesNode = m.get("merges");
    boolean pairs = mergesNode != null && mergesNode.size() > 0 && mergesNode.get(0).isArray();
    List<String[]> merges = readMerges(source, mergesNode);
    String unk = m.hasNonNull("unk_token") ? m.get("unk_token").asText() : null;
    BpeModel model = BpeModel.of(source, vocab, merges, m.path("ignore_merges").asBoolean(false),
        m.path("byte_fallback").asBoolean(false), unk);

    List<AddedToken> added = readAddedTokens(source, root.get("added_tokens"));
    TextNormalizer normalizer = TextNormalizer.parse(source, root.get("normalizer"));
    PreTokenizer pre = PreTokenizer.parse(source, root.get("pre_tokenizer"));
    if (!pre.byteLevel()) {
      throw new TokenizerFormatException(source, "pre_tokenizer has no ByteLevel step: not a"
          + " byte-level BPE (SentencePiece-style BPE, as Llama 2's or Mistral 7B v0.1's, is not supported)");
    }
    checkDecoder(source, root.get("decoder"));
    Map<String, Integer> addedIds = new LinkedHashMap<>();
    for (AddedToken t : added) {
      addedIds.put(t.content(), t.id());
    }
    int[] prefix = promptPrefix(source, root.get("post_processor"), addedIds, vocab);

    ObjectNode template = root.deepCopy();
    template.putNull("added_tokens");
    ((ObjectNode) template.get("model")).putNull("vocab");
    ((ObjectNode) template.get("model")).putNull("merges");
    BpeTokenizer t = new BpeTokenizer(model, added, normalizer, pre, JSON.writeValueAsString(template),
        pairs, -1, prefix);
    int eos = BpeTokenizer.conventionalEos(t);
    return eos < 0 ? t : t.withEos(eos);
  }

  private static Map<String, Integer> readVocab(String source, JsonNode node) throws TokenizerFormatException {
    if (node == null || !node.isObject()) {
      throw new TokenizerFormatException(source, "model.vocab is missing or not an object");
    }
    Map<String, Integer> vocab = new LinkedHashMap<>(node.size() * 2);
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().canConvertToInt() || !e.getValue().isIntegralNumber()) {
        throw new TokenizerFormatException(source, "model.vocab[\"" + e.getKey() + "\"] is not an integer id: " + e.getValue());
      }
      vocab.put(e.getKey(), e.getValue().asInt());
    }
    return vocab;
  }

  private static List<String[]> readMerges(String source, JsonNode node) throws TokenizerFormatException {
    if (node == null || node.isNull()) {
      return List.of();
    }
    if (!node.isArray()) {
      throw new TokenizerFormatException(source, "model.merges is not a list");
    }
    List<String[]> merges = new ArrayList<>(node.size());
    for (int i = 0; i < node.size(); i++) {
      JsonNode e = node.get(i);
      String[] pair;
      if (e.isTextual()) {
        pair = e.asText().split(" ", -1);
      } else if (e.isArray() && e.size() == 2 && e.get(0).isTextual() && e.get(1).isTextual()) {
        pair = new String[] {e.get(0).asText(), e.get(1).asText()};
      } else {
        pair = null;
      }
      if (pair == null || pair.length != 2) {
        throw new TokenizerFormatException(source, "model.merges[" + i + "] is neither \"a b\" nor [\"a\", \"b\"]: " + e);
      }
      merges.add(pair);
    }
    return merges;
  }

  private static List<AddedToken> readAddedTokens(String source, JsonNode node) throws TokenizerFormatException {
    List<AddedToken> out = new ArrayList<>();
    if (node == null || node.isNull()) {
      return out;
    }
    for (int i = 0; i < node.size(); i++) {
      JsonNode t = node.get(i);
      if (!t.path("id").canConvertToInt() || !t.path("content").isTextual() || t.get("content").asText().isEmpty()) {
        throw new TokenizerFormatException(source, "added_tokens[" + i + "] needs an integer id and a non-empty content: " + t);
      }
      out.add(new AddedToken(t.get("id").asInt(), t.get("content").asText(), t.path("special").asBoolean(false),
          t.path("lstrip").asBoolean(false), t.path("rstrip").asBoolean(false),
          t.path("single_word").asBoolean(false), t.path("normalized").asBoolean(false)));
    }
    return out;
  }

  private static void checkDecoder(String source, JsonNode node) throws TokenizerFormatException {
    String type = node == null || node.isNull() ? "none" : node.path("type").asText("");
    if (!type.equals("ByteLevel")) {
      throw new TokenizerFormatException(source, "decoder \"" + type + "\" is not supported (a byte-level BPE needs the ByteLevel decoder)");
    }
  }

  /** The special tokens a TemplateProcessing post-processor puts before sequence A. */
  private static int[] promptPrefix(String source, JsonNode node, Map<String, Integer> added,
      Map<String, Integer> vocab) throws TokenizerFormatException {
    if (node == null || node.isNull()) {
      return new int[0];
    }
    String type = node.path("type").asText("");
    if (type.equals("Sequence")) {
      for (JsonNode p : node.path("processors")) {
        int[] ids = promptPrefix(source, p, added, vocab);
        if (ids.length > 0) {
          return ids;
        }
      }
      return new int[0];
    }
    if (!type.equals("TemplateProcessing")) {
      return new int[0];
    }
    List<Integer> ids = new ArrayList<>();
    for (JsonNode piece : node.path("single")) {
      if (piece.has("Sequence")) {
        break;
      }
      String name = piece.path("SpecialToken").path("id").asText(null);
      JsonNode declared = node.path("special_tokens").path(name == null ? "" : name).path("ids");
      if (name == null) {
        throw new TokenizerFormatException(source, "post_processor.single has an element that is neither a SpecialToken nor a Sequence: " + piece);
      }
      if (declared.isArray() && declared.size() > 0) {
        declared.forEach(id -> ids.add(id.asInt()));
      } else if (added.containsKey(name) || vocab.containsKey(name)) {
        ids.add(added.containsKey(name) ? added.get(name) : vocab.get(name));
      } else {
        throw new TokenizerFormatException(source, "post_processor names special token \"" + name + "\", which the tokenizer does not have");
      }
    }
    return ids.stream().mapToInt(Integer::intValue).toArray();
  }

  static String write(BpeTokenizer t) {
    try {
      ObjectNode root = (ObjectNode) JSON.readTree(t.template());
      JsonNodeFactory f = JsonNodeFactory.instance;
      ArrayNode added = f.arrayNode();
      for (AddedToken a : t.addedTokens()) {
        ObjectNode n = added.addObject();
        n.put("id", a.id());
        n.put("content", a.content());
        n.put("single_word", a.singleWord());
        n.put("lstrip", a.lstrip());
        n.put("rstrip", a.rstrip());
        n.put("normalized", a.normalized());
        n.put("special", a.special());
      }
      root.set("added_tokens", added);
      BpeModel model = t.model();
      ObjectNode vocab = f.objectNode();
      for (int id = 0; id < model.tokens.length; id++) {
        if (model.tokens[id] != null) {
          vocab.put(model.tokens[id], id);
        }
      }
      ArrayNode merges = f.arrayNode();
      boolean pairs = t.mergesAsPairs();
      for (int r = 0; r < model.mergeLeft.length && !pairs; r++) { // "a b" cannot hold a space
        pairs = model.tokens[model.mergeLeft[r]].contains(" ") || model.tokens[model.mergeRight[r]].contains(" ");
      }
      for (int r = 0; r < model.mergeLeft.length; r++) {
        String a = model.tokens[model.mergeLeft[r]];
        String b = model.tokens[model.mergeRight[r]];
        if (pairs) {
          merges.addArray().add(a).add(b);
        } else {
          merges.add(a + " " + b);
        }
      }
      ObjectNode m = (ObjectNode) root.get("model");
      m.set("vocab", vocab);
      m.set("merges", merges);
      return JSON.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("writing tokenizer.json", e);
    }
  }
}
