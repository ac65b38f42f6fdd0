package io.sparkrl.tokenizer.bpe;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.Serializable;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code normalizer} of a {@code tokenizer.json}, applied to the text between added tokens
 * before pre-tokenizing. Supported: none, the Unicode forms {@code NFC} (Qwen2), {@code NFD},
 * {@code NFKC}, {@code NFKD}, {@code Lowercase}, and a {@code Sequence} of these.
 */
final class TextNormalizer implements Serializable {
  private static final long serialVersionUID = 1L;

  private final List<String> steps;

  private TextNormalizer(List<String> steps) {
    this.steps = List.copyOf(steps);
  }

  static TextNormalizer none() {
    return new TextNormalizer(List.of());
  }

  boolean isIdentity() {
    return steps.isEmpty();
  }

  String apply(String text) {
    String s = text;
    for (String step : steps) {
      s = switch (step) {
        case "NFC" -> Normalizer.normalize(s, Normalizer.Form.NFC);
        case "NFD" -> Normalizer.normalize(s, Normalizer.Form.NFD);
        case "NFKC" -> Normalizer.normalize(s, Normalizer.Form.NFKC);
        case "NFKD" -> Normalizer.normalize(s, Normalizer.Form.NFKD);
        case "Lowercase" -> s.toLowerCase(Locale.ROOT);
        default -> throw new IllegalStateException(step);
      };
    }
    return s;
  }

  static TextNormalizer parse(String source, JsonNode node) throws TokenizerFormatException {
    List<String> steps = new ArrayList<>();
    if (node != null && !node.isNull()) {
      add(source, node, steps);
    }
    return new TextNormalizer(steps);
  }

  private static void add(String source, JsonNode node, List<String> steps) throws TokenizerFormatException {
    String type = node.path("type").asText("");
    switch (type) {
      case "Sequence" -> {
        for (JsonNode child : node.path("normalizers")) {
          add(source, child, steps);
        }
      }
      case "NFC", "NFD", "NFKC", "NFKD", "Lowercase" -> steps.add(type);
      default -> throw new TokenizerFormatException(source, "unsupported normalizer type \"" + type
          + "\" (supported: NFC, NFD, NFKC, NFKD, Lowercase, Sequence)");
    }
  }
}
