package io.sparkrl.tokenizer.bpe;

import io.sparkrl.tokenizer.Tokenizer;
import io.sparkrl.tokenizer.UnknownCharacterMode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A byte-level BPE tokenizer read from a Hugging Face {@code tokenizer.json} (GPT-2, Llama 3,
 * Qwen2 and the like), encoding as Hugging Face's {@code tokenizers} does with
 * {@code add_special_tokens=False}:
 *
 * <ol>
 *   <li>added tokens are cut out of the raw text ({@link AddedTokenSplitter}; a special token
 *       written in the text becomes its id);
 *   <li>the rest is normalized ({@link TextNormalizer}: NFC for Qwen2), and normalized added
 *       tokens are cut out of that;
 *   <li>the pre-tokenizer cuts it into pieces ({@link PreTokenizer}: GPT-2's regex, or Llama 3's
 *       and Qwen2's Split patterns), each piece's UTF-8 bytes are mapped to the byte-level
 *       alphabet ({@link ByteLevel}) and merged by rank ({@link BpeModel}).
 * </ol>
 *
 * Decoding joins the tokens' bytes and reads them as UTF-8 (an invalid sequence, possible when
 * decoding a cut-off range, becomes U+FFFD); special added tokens are dropped, other added tokens
 * kept. {@code decode(encode(x)) == x} for every text without special tokens, up to the
 * normalizer (Qwen2's NFC).
 *
 * <p><b>EOS.</b> The caller names it: {@link #withConfig(TokenizerConfig)} takes
 * {@code tokenizer_config.json}'s {@code eos_token}, {@link #withEos(String)} any token (e.g.
 * {@code config.json}'s {@code eos_token_id} through {@link #withEos(int)}). Unnamed, it is the
 * first of {@link #CONVENTIONAL_EOS} the tokenizer has ({@code <|endoftext|>} for GPT-2, Qwen2
 * base models and this project's trainer; {@code <|end_of_text|>} for Llama 3 base models);
 * a tokenizer with none of them has no EOS until one is named.
 *
 * <p><b>Prompt.</b> {@link #encodePrompt} puts before the prompt what the tokenizer's
 * {@code TemplateProcessing} post-processor puts before a single sequence (Llama 3's
 * {@code <|begin_of_text|>}); {@code tokenizer_config.json}'s {@code add_bos_token}, when
 * present, overrides that: BOS or nothing.
 *
 * <p>{@link #toJson()} writes a {@code tokenizer.json} that reads back equal: every section
 * other than the vocabulary, merges and added tokens is kept as read.
 */
public final class BpeTokenizer implements Tokenizer {
  private static final long serialVersionUID = 1L;

  public static final String FILE_NAME = "tokenizer.json";
  /** {@link #kind()}: how policy files name this tokenizer. */
  public static final String KIND = "byte-level-bpe";
  /** EOS names tried, in order, when none is given. */
  public static final List<String> CONVENTIONAL_EOS =
      List.of("<|endoftext|>", "<|end_of_text|>", "</s>", "<eos>", "<|im_end|>", "<|eot_id|>");

  private final BpeModel model;
  private final List<AddedToken> addedTokens;
  private final Map<Integer, AddedToken> addedById;
  private final TextNormalizer normalizer;
  private final PreTokenizer preTokenizer;
  private final AddedTokenSplitter rawSplitter;
  private final AddedTokenSplitter normalizedSplitter;
  /** The document without added_tokens, model.vocab and model.merges (nulls in their place). */
  private final String template;
  private final boolean mergesAsPairs;
  private final int size;
  private final int eos;
  private final int[] promptPrefix;

  BpeTokenizer(BpeModel model, List<AddedToken> addedTokens, TextNormalizer normalizer,
      PreTokenizer preTokenizer, String template, boolean mergesAsPairs, int eos, int[] promptPrefix) {
    this.model = model;
    this.addedTokens = List.copyOf(addedTokens);
    this.addedById = new HashMap<>();
    List<AddedToken> raw = new ArrayList<>();
    List<AddedToken> normalized = new ArrayList<>();
    int n = model.size();
    for (AddedToken t : addedTokens) {
      addedById.put(t.id(), t);
      (t.normalized() && !normalizer.isIdentity() ? normalized : raw).add(t);
      n = Math.max(n, t.id() + 1);
    }
    this.size = n;
    this.normalizer = normalizer;
    this.preTokenizer = preTokenizer;
    this.rawSplitter = new AddedTokenSplitter(raw);
    this.normalizedSplitter = new AddedTokenSplitter(normalized);
    this.template = template;
    this.mergesAsPairs = mergesAsPairs;
    this.eos = eos;
    this.promptPrefix = promptPrefix.clone();
  }

  /** Reads a tokenizer.json; {@code source} names it in errors. */
  public static BpeTokenizer read(String source, InputStream in) throws IOException {
    return TokenizerJson.read(source, in);
  }

  public static BpeTokenizer read(Path path) throws IOException {
    try (InputStream in = Files.newInputStream(path)) {
      return read(path.toString(), in);
    }
  }

  public static BpeTokenizer fromJson(String source, String json) throws IOException {
    return read(source, new java.io.ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
  }

  /** The tokenizer.json text of this tokenizer. */
  public String toJson() {
    return TokenizerJson.write(this);
  }

  /** The same tokenizer with EOS and prompt prefix as the tokenizer_config.json says. */
  public BpeTokenizer withConfig(TokenizerConfig config) {
    BpeTokenizer t = config.eosToken() == null ? this : withEos(config.eosToken());
    if (config.addBosToken() == null) {
      return t;
    }
    if (!config.addBosToken()) {
      return t.withPromptPrefix(new int[0]);
    }
    if (config.bosToken() == null) {
      throw new IllegalArgumentException(TokenizerConfig.FILE_NAME + ": add_bos_token is true but bos_token is not set");
    }
    return t.withPromptPrefix(new int[] {t.idOf(config.bosToken())});
  }

  /** The same tokenizer with this token as EOS. */
  public BpeTokenizer withEos(String token) {
    return withEos(idOf(token));
  }

  public BpeTokenizer withEos(int id) {
    tokenName(id);
    return new BpeTokenizer(model, addedTokens, normalizer, preTokenizer, template, mergesAsPairs, id, promptPrefix);
  }

  /** The same tokenizer putting these ids before every prompt. */
  public BpeTokenizer withPromptPrefix(int[] ids) {
    for (int id : ids) {
      tokenName(id);
    }
    return new BpeTokenizer(model, addedTokens, normalizer, preTokenizer, template, mergesAsPairs, eos, ids);
  }

  /** The id of a token (added tokens first, then the model's vocabulary), or an exception. */
  public int idOf(String token) {
    int id = findId(token);
    if (id < 0) {
      throw new IllegalArgumentException("no token \"" + token + "\" in the tokenizer (" + size + " ids)");
    }
    return id;
  }

  int findId(String token) {
    for (AddedToken t : addedTokens) {
      if (t.content().equals(token)) {
        return t.id();
      }
    }
    return model.id(token);
  }

  static int conventionalEos(BpeTokenizer t) {
    for (String name : CONVENTIONAL_EOS) {
      int id = t.findId(name);
      if (id >= 0) {
        return id;
      }
    }
    return -1;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public int eosToken() {
    if (eos < 0) {
      throw new IllegalStateException("the tokenizer has none of the conventional EOS tokens "
          + CONVENTIONAL_EOS + "; name it (tokenizer_config.json's eos_token) with withEos/withConfig");
    }
    return eos;
  }

  /** The ids put before every prompt (empty for none). */
  public int[] promptPrefix() {
    return promptPrefix.clone();
  }

  public List<AddedToken> addedTokens() {
    return addedTokens;
  }

  @Override
  public int[] encode(String text, UnknownCharacterMode unknown) {
    IntList out = new IntList(text.length() / 3 + 4);
    List<AddedTokenSplitter.Piece> pieces = new ArrayList<>();
    rawSplitter.split(text, pieces);
    List<AddedTokenSplitter.Piece> inner = new ArrayList<>();
    for (AddedTokenSplitter.Piece p : pieces) {
      if (p.isToken()) {
        out.add(p.id());
        continue;
      }
      inner.clear();
      normalizedSplitter.split(normalizer.apply(p.text()), inner);
      for (AddedTokenSplitter.Piece q : inner) {
        if (q.isToken()) {
          out.add(q.id());
          continue;
        }
        for (String word : preTokenizer.split(q.text())) {
          model.encodeWord(preTokenizer.byteLevel() ? ByteLevel.encode(word) : word, out, unknown);
        }
      }
    }
    return out.toArray();
  }

  @Override
  public int[] encodePrompt(String prompt, UnknownCharacterMode unknown) {
    int[] body = encode(prompt, unknown);
    int[] ids = Arrays.copyOf(promptPrefix, promptPrefix.length + body.length);
    System.arraycopy(body, 0, ids, promptPrefix.length, body.length);
    return ids;
  }

  public String decode(int[] ids) {
    return decode(ids, 0, ids.length);
  }

  @Override
  public String decode(int[] ids, int from, int to) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream((to - from) * 4);
    for (int i = from; i < to; i++) {
      AddedToken added = addedById.get(ids[i]);
      if (added != null) {
        if (!added.special()) {
          ByteLevel.appendBytes(added.content(), bytes);
        }
        continue;
      }
      ByteLevel.appendBytes(tokenName(ids[i]), bytes);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Override
  public String tokenName(int id) {
    if (id < 0 || id >= size) {
      throw new IllegalArgumentException("token id " + id + " outside the vocabulary of " + size);
    }
    AddedToken added = addedById.get(id);
    if (added != null) {
      return added.content();
    }
    String token = id < model.size() ? model.tokens[id] : null;
    if (token == null) {
      throw new IllegalArgumentException("token id " + id + " has no token (a gap in the vocabulary)");
    }
    return token;
  }

  @Override
  public String kind() {
    return KIND;
  }

  /**
   * Its {@code tokenizer.json} text, the EOS id (-1: none) and the prompt prefix: what
   * {@link #readFrom} needs to rebuild an equal tokenizer.
   */
  @Override
  public void writeTo(java.io.DataOutput out) throws IOException {
    byte[] json = toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    out.writeInt(json.length);
    out.write(json);
    out.writeInt(eos);
    out.writeInt(promptPrefix.length);
    for (int id : promptPrefix) {
      out.writeInt(id);
    }
  }

  /** Reads what {@link #writeTo} wrote. */
  public static BpeTokenizer readFrom(java.io.DataInput in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > (1 << 30)) {
      throw new IOException("corrupt tokenizer: " + n + " bytes of tokenizer.json");
    }
    byte[] json = new byte[n];
    in.readFully(json);
    BpeTokenizer t = fromJson("policy file", new String(json, java.nio.charset.StandardCharsets.UTF_8));
    int eosId = in.readInt();
    int[] prefix = new int[in.readInt()];
    for (int i = 0; i < prefix.length; i++) {
      prefix[i] = in.readInt();
    }
    t = t.withPromptPrefix(prefix);
    return eosId >= 0 ? t.withEos(eosId) : t;
  }

  BpeModel model() {
    return model;
  }

  String template() {
    return template;
  }

  boolean mergesAsPairs() {
    return mergesAsPairs;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BpeTokenizer t && model.equals(t.model) && addedTokens.equals(t.addedTokens)
        && template.equals(t.template) && eos == t.eos && Arrays.equals(promptPrefix, t.promptPrefix);
  }

  @Override
  public int hashCode() {
    return model.hashCode() * 31 + addedTokens.hashCode();
  }

  @Override
  public String toString() {
    return "BpeTokenizer(" + size + " tokens, " + model.mergeLeft.length + " merges, eos "
        + (eos < 0 ? "none" : tokenName(eos)) + ")";
  }
}
