package io.sparkrl.hf;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The index of a sharded checkpoint, {@code model.safetensors.index.json}: its
 * {@code weight_map} names, for every tensor, the shard file that holds it (a name relative to
 * the index's folder). Shards are listed in name order, so reading them one after another visits
 * {@code model-00001-of-0000N} first.
 */
public final class SafetensorsIndex {
  /** The conventional file name of the index. */
  public static final String FILE_NAME = "model.safetensors.index.json";

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private final Map<String, String> weightMap;
  private final Map<String, String> metadata;

  private SafetensorsIndex(Map<String, String> weightMap, Map<String, String> metadata) {
    this.weightMap = Collections.unmodifiableMap(weightMap);
    this.metadata = Collections.unmodifiableMap(metadata);
  }

  public static SafetensorsIndex read(String source, InputStream in) throws IOException {
    JsonNode root;
    try {
      root = JSON.readTree(in);
    } catch (JsonProcessingException e) {
      throw new SafetensorsFormatException(source, "not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new SafetensorsFormatException(source, "not a JSON object");
    }
    JsonNode map = root.get("weight_map");
    if (map == null || !map.isObject()) {
      throw new SafetensorsFormatException(source, "no \"weight_map\" object");
    }
    Map<String, String> weights = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String file = e.getValue().isTextual() ? e.getValue().asText() : "";
      if (file.isEmpty() || file.contains("/") || file.contains("\\") || file.equals("..")) {
        throw new SafetensorsFormatException(source, "weight_map." + e.getKey()
            + ": not a shard file name in the index's folder: " + e.getValue());
      }
      weights.put(e.getKey(), file);
    }
    if (weights.isEmpty()) {
      throw new SafetensorsFormatException(source, "weight_map is empty");
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    JsonNode meta = root.get("metadata");
    if (meta != null && meta.isObject()) {
      meta.fields().forEachRemaining(e -> metadata.put(e.getKey(), e.getValue().asText()));
    }
    return new SafetensorsIndex(weights, metadata);
  }

  /** Tensor name to shard file name, in the index's order. */
  public Map<String, String> weightMap() {
    return weightMap;
  }

  public Map<String, String> metadata() {
    return metadata;
  }

  /** The shard holding the tensor; an exception naming the tensor if the index has none. */
  public String shardOf(String tensor) {
    String file = weightMap.get(tensor);
    if (file == null) {
      throw new IllegalArgumentException(FILE_NAME + ": no shard holds tensor \"" + tensor + "\"");
    }
    return file;
  }

  /** Each shard file (in name order) with the tensors the index puts there. */
  public Map<String, List<String>> tensorsByShard() {
    Map<String, List<String>> out = new TreeMap<>();
    weightMap.forEach((tensor, file) -> out.computeIfAbsent(file, f -> new ArrayList<>()).add(tensor));
    return out;
  }

  /**
   * Checks a shard's header against the index: every tensor the index puts in the shard is there
   * and the shard holds no tensor the index places elsewhere or omits.
   */
  public void checkShard(String file, SafetensorsHeader header) throws SafetensorsFormatException {
    for (TensorInfo t : header.tensors()) {
      String expected = weightMap.get(t.name());
      if (!file.equals(expected)) {
        throw new SafetensorsFormatException(header.source(), t.name() + ": the index "
            + (expected == null ? "does not list it" : "places it in " + expected));
      }
    }
    for (String tensor : tensorsByShard().getOrDefault(file, List.of())) {
      if (!header.contains(tensor)) {
        throw new SafetensorsFormatException(header.source(), tensor
            + ": listed in the index for this shard but missing from it");
      }
    }
  }
}
