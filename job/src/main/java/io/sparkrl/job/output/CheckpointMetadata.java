package io.sparkrl.job.output;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A checkpoint's {@code metadata.json}, written last: the step, {@code params_sha256} (SHA-256 of
 * the parameters as little-endian float32), the data cursor, and the size and SHA-256 of every
 * other file. A checkpoint whose metadata is missing, or whose files do not match it, is not used.
 */
public record CheckpointMetadata(int format, long step, String paramsSha256, int parameters,
    DataCursor cursor, Map<String, FileEntry> files, String writtenAt) {
  public static final String NAME = "metadata.json";
  public static final int FORMAT = 1;
  private static final ObjectMapper JSON = new ObjectMapper();

  public record FileEntry(long bytes, String sha256) {}

  public byte[] toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", format);
    root.put("step", step);
    root.put("params_sha256", paramsSha256);
    root.put("parameters", parameters);
    ObjectNode c = root.putObject("data_cursor");
    c.put("next_step", cursor.nextStep());
    c.put("epoch", cursor.epoch());
    c.put("position_in_epoch", cursor.positionInEpoch());
    c.put("corpus_prompts", cursor.corpusPrompts());
    c.put("prompts_per_step", cursor.promptsPerStep());
    c.put("seed", cursor.seed());
    ObjectNode f = root.putObject("files");
    files.forEach((name, e) -> {
      ObjectNode n = f.putObject(name);
      n.put("bytes", e.bytes());
      n.put("sha256", e.sha256());
    });
    root.put("written_at", writtenAt);
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Parses metadata.json; a malformed one is an {@link InvalidCheckpointException}. */
  public static CheckpointMetadata parse(byte[] json) {
    try {
      JsonNode root = JSON.readTree(new String(json, StandardCharsets.UTF_8));
      int format = required(root, "format").asInt();
      if (format != FORMAT) {
        throw new InvalidCheckpointException(NAME + " has format " + format + ", this build reads "
            + FORMAT);
      }
      JsonNode c = required(root, "data_cursor");
      DataCursor cursor = new DataCursor(required(c, "next_step").asLong(),
          required(c, "epoch").asLong(), required(c, "position_in_epoch").asLong(),
          required(c, "corpus_prompts").asLong(), required(c, "prompts_per_step").asInt(),
          required(c, "seed").asLong());
      Map<String, FileEntry> files = new LinkedHashMap<>();
      var it = required(root, "files").fields();
      while (it.hasNext()) {
        var e = it.next();
        files.put(e.getKey(), new FileEntry(required(e.getValue(), "bytes").asLong(),
            required(e.getValue(), "sha256").asText()));
      }
      return new CheckpointMetadata(format, required(root, "step").asLong(),
          required(root, "params_sha256").asText(), required(root, "parameters").asInt(), cursor,
          files, root.path("written_at").asText(""));
    } catch (IOException e) {
      throw new InvalidCheckpointException(NAME + " is not valid JSON: " + e.getMessage());
    }
  }

  private static JsonNode required(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      throw new InvalidCheckpointException(NAME + " lacks \"" + field + "\"");
    }
    return v;
  }
}
