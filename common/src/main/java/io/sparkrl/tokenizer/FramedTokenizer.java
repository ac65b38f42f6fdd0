package io.sparkrl.tokenizer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A tokenizer fitted to a model: its prompts wrapped in a template, its size padded to the model's
 * embedding rows, and the {@code tokenizer_config.json} it came with kept for export.
 *
 * <ul>
 *   <li><b>Template</b>: a text with {@code {prompt}} once; {@link #encodePrompt} encodes the
 *       template with the prompt put in its place, as one text (so the tokens at the joins are
 *       those of the whole rendered text, as a chat template's rendering gives them). Special
 *       tokens written in the template, e.g. {@code <|im_start|>}, become their ids. Null: the
 *       prompt as it is.
 *   <li><b>Size</b>: checkpoints often have more embedding rows than the tokenizer has ids
 *       (Qwen2.5: 151936 rows for 151665 ids). The ids above the tokenizer's are padding: they
 *       have no text (decoding drops them) and are named {@code <padding N>}.
 * </ul>
 * Everything else is the inner tokenizer's. {@link #of} returns the inner tokenizer itself when
 * there is nothing to add.
 */
public final class FramedTokenizer implements Tokenizer {
  private static final long serialVersionUID = 1L;
  public static final String KIND = "framed";
  public static final String PLACEHOLDER = "{prompt}";

  private final Tokenizer inner;
  private final int size;
  private final String before;
  private final String after;
  private final String tokenizerConfig;

  private FramedTokenizer(Tokenizer inner, int size, String template, String tokenizerConfig) {
    this.inner = inner;
    this.size = size;
    if (template == null) {
      before = null;
      after = null;
    } else {
      int at = template.indexOf(PLACEHOLDER);
      before = template.substring(0, at);
      after = template.substring(at + PLACEHOLDER.length());
    }
    this.tokenizerConfig = tokenizerConfig;
  }

  /**
   * The tokenizer {@code inner} with {@code size} ids (at least its own), prompts wrapped in
   * {@code template} (null or "" for none), and the tokenizer_config.json text it came with (or
   * null). A framed tokenizer given as inner is unwrapped first.
   */
  public static Tokenizer of(Tokenizer inner, int size, String template, String tokenizerConfig) {
    Tokenizer base = base(inner);
    if (size < base.size()) {
      throw new IllegalArgumentException("a size of " + size + " is below the tokenizer's "
          + base.size() + " ids");
    }
    String t = template == null || template.isEmpty() ? null : checkTemplate(template);
    if (size == base.size() && t == null && tokenizerConfig == null) {
      return base;
    }
    return new FramedTokenizer(base, size, t, tokenizerConfig);
  }

  /** The template, after checking that it holds {@code {prompt}} exactly once. */
  public static String checkTemplate(String template) {
    int at = template.indexOf(PLACEHOLDER);
    if (at < 0 || template.indexOf(PLACEHOLDER, at + 1) >= 0) {
      throw new IllegalArgumentException("a prompt template must contain " + PLACEHOLDER
          + " exactly once: \"" + template + "\"");
    }
    return template;
  }

  /** The tokenizer inside any framing. */
  public static Tokenizer base(Tokenizer t) {
    return t instanceof FramedTokenizer f ? f.inner : t;
  }

  /** The template of a tokenizer ("" when it has none). */
  public static String templateOf(Tokenizer t) {
    return t instanceof FramedTokenizer f && f.before != null ? f.before + PLACEHOLDER + f.after
        : "";
  }

  /** The tokenizer_config.json text a tokenizer came with, or null. */
  public static String tokenizerConfigOf(Tokenizer t) {
    return t instanceof FramedTokenizer f ? f.tokenizerConfig : null;
  }

  /** The same tokenizer with another template (null or "" for none). */
  public static Tokenizer withTemplate(Tokenizer t, String template) {
    return of(t, t.size(), template, tokenizerConfigOf(t));
  }

  /** The text a prompt becomes before it is encoded. */
  public String render(String prompt) {
    return before == null ? prompt : before + prompt + after;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public int eosToken() {
    return inner.eosToken();
  }

  @Override
  public int[] encode(String text, UnknownCharacterMode unknown) {
    return inner.encode(text, unknown);
  }

  @Override
  public int[] encodePrompt(String prompt, UnknownCharacterMode unknown) {
    return inner.encodePrompt(render(prompt), unknown);
  }

  @Override
  public String decode(int[] ids, int from, int to) {
    int n = inner.size();
    int kept = 0;
    for (int i = from; i < to; i++) {
      kept += ids[i] < n ? 1 : 0;
    }
    if (kept == to - from) {
      return inner.decode(ids, from, to);
    }
    int[] real = new int[kept];
    for (int i = from, k = 0; i < to; i++) {
      if (ids[i] < n) {
        real[k++] = ids[i];
      }
    }
    return inner.decode(real, 0, kept);
  }

  @Override
  public String tokenName(int id) {
    if (id >= inner.size() && id < size) {
      return "<padding " + id + ">";
    }
    return inner.tokenName(id);
  }

  @Override
  public int firstUnencodable(String text) {
    return inner.firstUnencodable(text);
  }

  @Override
  public String kind() {
    return KIND;
  }

  /** The inner tokenizer's kind and bytes, the size, the template and the tokenizer config. */
  @Override
  public void writeTo(DataOutput out) throws IOException {
    out.writeUTF(inner.kind());
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream innerOut = new DataOutputStream(bytes);
    inner.writeTo(innerOut);
    innerOut.flush();
    out.writeInt(bytes.size());
    out.write(bytes.toByteArray());
    out.writeInt(size);
    writeText(out, before == null ? null : before + PLACEHOLDER + after);
    writeText(out, tokenizerConfig);
  }

  public static FramedTokenizer readFrom(DataInput in) throws IOException {
    String kind = in.readUTF();
    int n = in.readInt();
    if (n < 0 || n > (1 << 30)) {
      throw new IOException("corrupt framed tokenizer: " + n + " bytes of inner tokenizer");
    }
    byte[] bytes = new byte[n];
    in.readFully(bytes);
    Tokenizer inner = Tokenizers.read(kind, new DataInputStream(new ByteArrayInputStream(bytes)));
    int size = in.readInt();
    String template = readText(in);
    String config = readText(in);
    if (size < inner.size()) {
      throw new IOException("corrupt framed tokenizer: size " + size + " below " + inner.size());
    }
    return new FramedTokenizer(inner, size, template == null ? null : checkTemplate(template),
        config);
  }

  private static void writeText(DataOutput out, String text) throws IOException {
    if (text == null) {
      out.writeInt(-1);
      return;
    }
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  private static String readText(DataInput in) throws IOException {
    int n = in.readInt();
    if (n == -1) {
      return null;
    }
    if (n < 0 || n > (1 << 30)) {
      throw new IOException("corrupt framed tokenizer: a text of " + n + " bytes");
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return new String(b, StandardCharsets.UTF_8);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FramedTokenizer f && inner.equals(f.inner) && size == f.size
        && Objects.equals(before, f.before) && Objects.equals(after, f.after)
        && Objects.equals(tokenizerConfig, f.tokenizerConfig);
  }

  @Override
  public int hashCode() {
    return inner.hashCode() * 31 + size;
  }

  @Override
  public String toString() {
    return "FramedTokenizer(" + inner + ", size " + size
        + (before == null ? "" : ", template \"" + before + PLACEHOLDER + after + "\"") + ")";
  }
}
