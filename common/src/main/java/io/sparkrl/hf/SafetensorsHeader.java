package io.sparkrl.hf;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The header of a safetensors file, validated: the format is an 8-byte little-endian header
 * length N, N bytes of JSON, then the tensors' bytes. The JSON maps each tensor name to
 * {@code {"dtype", "shape", "data_offsets": [begin, end]}}, plus an optional
 * {@code "__metadata__"} map of strings.
 *
 * <p>Checks (each failure a {@link SafetensorsFormatException} naming the file and the tensor):
 * the JSON is an object with no duplicate names; every dtype is F32, F16 or BF16; shapes are
 * non-negative; each byte range has exactly shape × dtype-size bytes; the ranges, in offset
 * order, start at 0 and follow each other with no gap or overlap; and, when the file's size is
 * known, the last one ends at the end of the file.
 */
public final class SafetensorsHeader {
  /** Headers larger than this are refused (as the reference implementation does): 100 MB. */
  public static final long MAX_HEADER_BYTES = 100L << 20;

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private final String source;
  private final long headerLength;
  private final List<TensorInfo> tensors;
  private final Map<String, TensorInfo> byName;
  private final Map<String, String> metadata;

  private SafetensorsHeader(String source, long headerLength, List<TensorInfo> tensors,
      Map<String, String> metadata) {
    this.source = source;
    this.headerLength = headerLength;
    this.tensors = List.copyOf(tensors);
    Map<String, TensorInfo> map = new LinkedHashMap<>();
    for (TensorInfo t : tensors) {
      map.put(t.name(), t);
    }
    this.byName = Collections.unmodifiableMap(map);
    this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
  }

  /** Validates the header length read from the file's first 8 bytes. */
  static long checkLength(String source, long headerLength, long fileSize)
      throws SafetensorsFormatException {
    if (headerLength < 2 || headerLength > MAX_HEADER_BYTES) {
      throw new SafetensorsFormatException(source, "header length " + headerLength
          + " is not plausible (it must be between 2 and " + MAX_HEADER_BYTES
          + " bytes; is this a safetensors file?)");
    }
    if (fileSize >= 0 && 8 + headerLength > fileSize) {
      throw new SafetensorsFormatException(source, "header length " + headerLength
          + " goes beyond the end of the file (" + fileSize + " bytes)");
    }
    return headerLength;
  }

  /**
   * Parses and validates the header's JSON.
   *
   * @param dataLength the bytes after the header, or -1 when unknown (a stream)
   */
  public static SafetensorsHeader parse(String source, byte[] json, long dataLength)
      throws SafetensorsFormatException {
    JsonNode root;
    try {
      root = JSON.readTree(new String(json, StandardCharsets.UTF_8).stripTrailing());
    } catch (JsonProcessingException e) {
      throw new SafetensorsFormatException(source, "the header is not valid JSON: "
          + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new SafetensorsFormatException(source, "the header is not a JSON object");
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    List<TensorInfo> tensors = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().equals("__metadata__")) {
        readMetadata(source, e.getValue(), metadata);
      } else {
        tensors.add(readTensor(source, e.getKey(), e.getValue()));
      }
    }
    tensors.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
    long expected = 0;
    for (TensorInfo t : tensors) {
      if (t.begin() != expected) {
        throw new SafetensorsFormatException(source, t.name() + ": data_offsets [" + t.begin()
            + ", " + t.end() + "] " + (t.begin() < expected ? "overlap" : "leave a gap after")
            + " the previous tensor's bytes (which end at " + expected + ")");
      }
      expected = t.end();
    }
    if (dataLength >= 0 && expected != dataLength) {
      String last = tensors.isEmpty() ? "the header" : tensors.get(tensors.size() - 1).name();
      for (TensorInfo t : tensors) {
        if (t.end() > dataLength) {
          last = t.name(); // the first tensor the file cuts short
          break;
        }
      }
      throw new SafetensorsFormatException(source, last + ": the tensors' bytes end at data offset "
          + expected + " but the file has " + dataLength + " data bytes after the header"
          + (expected > dataLength ? " (truncated file?)" : " (trailing bytes)"));
    }
    return new SafetensorsHeader(source, json.length, tensors, metadata);
  }

  private static void readMetadata(String source, JsonNode node, Map<String, String> into)
      throws SafetensorsFormatException {
    if (node.isNull()) {
      return;
    }
    if (!node.isObject()) {
      throw new SafetensorsFormatException(source, "__metadata__ is not a JSON object");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isTextual()) {
        throw new SafetensorsFormatException(source, "__metadata__." + e.getKey()
            + " is not a string: " + e.getValue());
      }
      into.put(e.getKey(), e.getValue().asText());
    }
  }

  private static TensorInfo readTensor(String source, String name, JsonNode node)
      throws SafetensorsFormatException {
    if (!node.isObject()) {
      throw new SafetensorsFormatException(source, name + ": not a JSON object: " + node);
    }
    JsonNode dtype = node.get("dtype");
    if (dtype == null || !dtype.isTextual()) {
      throw new SafetensorsFormatException(source, name + ": missing or non-string dtype");
    }
    SafetensorsDtype type = SafetensorsDtype.parse(source, name, dtype.asText());
    JsonNode shapeNode = node.get("shape");
    if (shapeNode == null || !shapeNode.isArray()) {
      throw new SafetensorsFormatException(source, name + ": missing or non-array shape");
    }
    long[] shape = new long[shapeNode.size()];
    for (int i = 0; i < shape.length; i++) {
      JsonNode d = shapeNode.get(i);
      if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0) {
        throw new SafetensorsFormatException(source, name + ": shape " + shapeNode
            + " has a dimension that is not a non-negative integer");
      }
      shape[i] = d.asLong();
    }
    JsonNode offsets = node.get("data_offsets");
    if (offsets == null || !offsets.isArray() || offsets.size() != 2
        || !offsets.get(0).isIntegralNumber() || !offsets.get(1).isIntegralNumber()
        || !offsets.get(0).canConvertToLong() || !offsets.get(1).canConvertToLong()) {
      throw new SafetensorsFormatException(source, name
          + ": data_offsets must be [begin, end] integers, got " + offsets);
    }
    long begin = offsets.get(0).asLong();
    long end = offsets.get(1).asLong();
    if (begin < 0 || end < begin) {
      throw new SafetensorsFormatException(source, name + ": data_offsets " + offsets
          + " are not a byte range (0 <= begin <= end)");
    }
    TensorInfo info = new TensorInfo(name, type, shape, begin, end);
    long bytes;
    try {
      bytes = Math.multiplyExact(info.elements(), type.bytes());
    } catch (ArithmeticException e) {
      throw new SafetensorsFormatException(source, name + ": shape " + shapeNode + " overflows");
    }
    if (bytes != end - begin) {
      throw new SafetensorsFormatException(source, name + ": shape " + shapeNode + " of " + type
          + " needs " + bytes + " bytes but data_offsets " + offsets + " hold " + (end - begin));
    }
    return info;
  }

  /** The file this header was read from, for messages. */
  public String source() {
    return source;
  }

  /** The JSON's length in bytes; the data starts at byte 8 + this. */
  public long headerLength() {
    return headerLength;
  }

  public long dataStart() {
    return 8 + headerLength;
  }

  /** The bytes of all tensors together. */
  public long dataLength() {
    return tensors.isEmpty() ? 0 : tensors.get(tensors.size() - 1).end();
  }

  /** The tensors in the order of their bytes in the file. */
  public List<TensorInfo> tensors() {
    return tensors;
  }

  /** The tensor of that name; an exception naming the file and the key if there is none. */
  public TensorInfo tensor(String name) throws SafetensorsFormatException {
    TensorInfo t = byName.get(name);
    if (t == null) {
      throw new SafetensorsFormatException(source, "no tensor named \"" + name + "\" (the file has "
          + tensors.size() + " tensors)");
    }
    return t;
  }

  public boolean contains(String name) {
    return byName.containsKey(name);
  }

  public Map<String, String> metadata() {
    return metadata;
  }
}
