package io.sparkrl.job.corpus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Serializable;

/**
 * Parses one JSON Lines row into a {@link CorpusRow}. Errors say what is wrong with the line and
 * show it; the caller adds where the line is ({@code file:line (byte N)}).
 */
public final class JsonLines implements Serializable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String promptField;
  private final String answerField;
  private final String completionField;
  private final boolean completionRequired;

  public JsonLines(String promptField, String answerField, String completionField,
      boolean completionRequired) {
    this.promptField = promptField;
    this.answerField = answerField;
    this.completionField = completionField;
    this.completionRequired = completionRequired;
  }

  /** The row, or null for a blank line; a {@link CorpusException} says what is wrong. */
  public CorpusRow parse(String line) {
    if (line.isBlank()) {
      return null;
    }
    JsonNode node;
    try {
      node = JSON.readTree(line);
    } catch (Exception e) {
      throw error("not valid JSON (" + firstLine(e.getMessage()) + ")", line);
    }
    if (node == null || !node.isObject()) {
      throw error("not a JSON object", line);
    }
    String prompt = text(node, promptField, true, line);
    String answer = text(node, answerField, true, line);
    String completion = text(node, completionField, completionRequired, line);
    return new CorpusRow(prompt, answer, completion);
  }

  private static String text(JsonNode node, String field, boolean required, String line) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      if (required) {
        throw error("missing field \"" + field + "\"", line);
      }
      return null;
    }
    if (!v.isValueNode() || v.isBoolean()) {
      throw error("field \"" + field + "\" must be a string or a number", line);
    }
    return v.asText();
  }

  private static CorpusException error(String what, String line) {
    String shown = line.length() > 120 ? line.substring(0, 117) + "..." : line;
    return new CorpusException(what + ": " + shown);
  }

  private static String firstLine(String s) {
    int nl = s == null ? -1 : s.indexOf('\n');
    return nl < 0 ? String.valueOf(s) : s.substring(0, nl);
  }
}
