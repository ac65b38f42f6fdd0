package io.sparkrl.job.corpus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Serializable;

/**
 * Parses one JSON Lines row into a {@link CorpusRow}. Errors name the file, the byte offset of the
 * line and what is wrong with it, since a corpus can be large and live on another machine.
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

  /** The row, or null for a blank line. */
  public CorpusRow parse(String line, String file, long offset) {
    if (line.isBlank()) {
      return null;
    }
    JsonNode node;
    try {
      node = JSON.readTree(line);
    } catch (Exception e) {
      throw error(file, offset, "not valid JSON (" + firstLine(e.getMessage()) + ")", line);
    }
    if (node == null || !node.isObject()) {
      throw error(file, offset, "not a JSON object", line);
    }
    String prompt = text(node, promptField, true, file, offset, line);
    String answer = text(node, answerField, true, file, offset, line);
    String completion = text(node, completionField, completionRequired, file, offset, line);
    return new CorpusRow(prompt, answer, completion);
  }

  private static String text(JsonNode node, String field, boolean required, String file,
      long offset, String line) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      if (required) {
        throw error(file, offset, "missing field \"" + field + "\"", line);
      }
      return null;
    }
    if (!v.isValueNode() || v.isBoolean()) {
      throw error(file, offset, "field \"" + field + "\" must be a string or a number", line);
    }
    return v.asText();
  }

  private static CorpusException error(String file, long offset, String what, String line) {
    String shown = line.length() > 120 ? line.substring(0, 117) + "..." : line;
    return new CorpusException(file + " at byte " + offset + ": " + what + ": " + shown);
  }

  private static String firstLine(String s) {
    int nl = s == null ? -1 : s.indexOf('\n');
    return nl < 0 ? String.valueOf(s) : s.substring(0, nl);
  }
}
