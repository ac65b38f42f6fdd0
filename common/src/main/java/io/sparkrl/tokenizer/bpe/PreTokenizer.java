package io.sparkrl.tokenizer.bpe;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The {@code pre_tokenizer} of a byte-level BPE {@code tokenizer.json}: cuts the text into the
 * pieces BPE merges within. Supported: {@code ByteLevel} (GPT-2: its regex, and an optional
 * prefix space), {@code Split} with a regex or string pattern and the {@code Isolated} or
 * {@code Removed} behaviour (Llama 3, Qwen2), {@code Digits}, and a {@code Sequence} of these.
 *
 * <p>Hugging Face compiles the patterns with Oniguruma, whose {@code \s}, {@code \w} and
 * case-insensitive matching are Unicode-wide; Java's are ASCII unless
 * {@link Pattern#UNICODE_CHARACTER_CLASS}, which every pattern here is compiled with. Then
 * {@code \p{L}}, {@code \p{N}}, {@code (?i:'s|'t|...)}, {@code \s+(?!\S)} and
 * {@code \p{N}{1,3}} carry over unchanged.
 */
final class PreTokenizer implements Serializable {
  private static final long serialVersionUID = 1L;

  /** GPT-2's split pattern, used by the ByteLevel pre-tokenizer when {@code use_regex} is true. */
  static final String GPT2_PATTERN =
      "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

  private interface Step extends Serializable {
    void split(String piece, List<String> out);
  }

  /** Regex splitting: matches and the text between them are pieces (or only the text: removed). */
  private record RegexStep(Pattern pattern, boolean removeMatches) implements Step {
    @Override
    public void split(String piece, List<String> out) {
      Matcher m = pattern.matcher(piece);
      int last = 0;
      while (m.find()) {
        if (m.start() > last) {
          out.add(piece.substring(last, m.start()));
        }
        if (!removeMatches && m.end() > m.start()) {
          out.add(piece.substring(m.start(), m.end()));
        }
        last = m.end();
      }
      if (last < piece.length()) {
        out.add(piece.substring(last));
      }
    }
  }

  private record ByteLevelStep(boolean addPrefixSpace, RegexStep regex) implements Step {
    @Override
    public void split(String piece, List<String> out) {
      String p = addPrefixSpace && !piece.startsWith(" ") ? " " + piece : piece;
      if (regex == null) {
        out.add(p);
      } else {
        regex.split(p, out);
      }
    }
  }

  private final List<Step> steps;
  private final boolean byteLevel;

  private PreTokenizer(List<Step> steps, boolean byteLevel) {
    this.steps = List.copyOf(steps);
    this.byteLevel = byteLevel;
  }

  /** GPT-2's: ByteLevel with its regex and no prefix space (what the trainer writes). */
  static PreTokenizer gpt2() {
    return new PreTokenizer(List.of(new ByteLevelStep(false, regex(GPT2_PATTERN))), true);
  }

  /**
   * Every digit a piece of its own ({@code Digits} with {@code individual_digits}), then GPT-2's
   * ByteLevel: what the trainer writes with split digits.
   */
  static PreTokenizer digitsThenGpt2() {
    return new PreTokenizer(List.of(regex("\\p{N}"),
        new ByteLevelStep(false, regex(GPT2_PATTERN))), true);
  }

  /** Whether a ByteLevel step maps the pieces' bytes to the byte-level alphabet. */
  boolean byteLevel() {
    return byteLevel;
  }

  /** The text's pieces, in order (not yet mapped to the byte-level alphabet). */
  List<String> split(String text) {
    List<String> pieces = new ArrayList<>(1);
    pieces.add(text);
    for (Step step : steps) {
      List<String> next = new ArrayList<>(pieces.size() * 4);
      for (String p : pieces) {
        step.split(p, next);
      }
      pieces = next;
    }
    return pieces;
  }

  private static RegexStep regex(String pattern) {
    return new RegexStep(Pattern.compile(pattern, Pattern.UNICODE_CHARACTER_CLASS), false);
  }

  static PreTokenizer parse(String source, JsonNode node) throws TokenizerFormatException {
    List<Step> steps = new ArrayList<>();
    boolean[] byteLevel = {false};
    if (node != null && !node.isNull()) {
      add(source, node, steps, byteLevel);
    }
    return new PreTokenizer(steps, byteLevel[0]);
  }

  private static void add(String source, JsonNode node, List<Step> steps, boolean[] byteLevel)
      throws TokenizerFormatException {
    String type = node.path("type").asText("");
    switch (type) {
      case "Sequence" -> {
        for (JsonNode child : node.path("pretokenizers")) {
          add(source, child, steps, byteLevel);
        }
      }
      case "ByteLevel" -> {
        byteLevel[0] = true;
        boolean useRegex = node.path("use_regex").asBoolean(true);
        steps.add(new ByteLevelStep(node.path("add_prefix_space").asBoolean(false),
            useRegex ? regex(GPT2_PATTERN) : null));
      }
      case "Split" -> {
        JsonNode pattern = node.path("pattern");
        String behavior = node.path("behavior").asText("");
        if (node.path("invert").asBoolean(false)) {
          throw new TokenizerFormatException(source, "pre_tokenizer Split with invert=true is not supported");
        }
        if (!behavior.equals("Isolated") && !behavior.equals("Removed")) {
          throw new TokenizerFormatException(source, "pre_tokenizer Split behavior \"" + behavior
              + "\" is not supported (Isolated and Removed are)");
        }
        String regex;
        if (pattern.hasNonNull("Regex")) {
          regex = pattern.get("Regex").asText();
        } else if (pattern.hasNonNull("String")) {
          regex = Pattern.quote(pattern.get("String").asText());
        } else {
          throw new TokenizerFormatException(source, "pre_tokenizer Split has no Regex or String pattern: " + pattern);
        }
        try {
          steps.add(new RegexStep(Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS),
              behavior.equals("Removed")));
        } catch (PatternSyntaxException e) {
          throw new TokenizerFormatException(source, "pre_tokenizer Split pattern " + pattern
              + " is not a regex Java can compile: " + e.getDescription(), e);
        }
      }
      case "Digits" -> steps.add(regex(node.path("individual_digits").asBoolean(false) ? "\\p{N}" : "\\p{N}+"));
      default -> throw new TokenizerFormatException(source, "unsupported pre_tokenizer type \""
          + type + "\" (supported: ByteLevel, Split, Digits, Sequence)");
    }
  }
}
