package io.sparkrl.hf;

import io.sparkrl.policy.transformer.TransformerFamily;
import io.sparkrl.policy.transformer.TransformerLayout;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The safetensors of a Hugging Face folder read into one flat parameter vector in
 * {@link TransformerLayout}'s order: {@code model.safetensors}, or the shards that
 * {@code model.safetensors.index.json} lists.
 *
 * <p>First every header is read and checked (against the file's length, and against the index),
 * and the checkpoint's tensors are matched to the layout's: every tensor the shape needs must be
 * there with the shape {@code config.json} gives, and every tensor of the checkpoint must be used.
 * Accepted without being used: GPT-2's attention buffers ({@code h.N.attn.bias}, the causal mask,
 * and {@code h.N.attn.masked_bias}, which older {@code transformers} saved), and an
 * {@code lm_head.weight} beside a tied embedding when it holds the same values. GPT-2 names
 * without the {@code transformer.} prefix (as the hub's {@code gpt2} has them) are read as the
 * prefixed ones. Then the values are decoded to float32 straight into the vector: local files
 * are memory-mapped one tensor at a time, other files streamed once through a small buffer, so a
 * checkpoint is never held twice in memory (a stored tied lm_head takes one temporary copy).
 */
public final class HfWeights {
  public static final String SINGLE_FILE = "model.safetensors";
  private static final Pattern GPT2_BUFFER =
      Pattern.compile("transformer\\.h\\.\\d+\\.attn\\.(bias|masked_bias)");
  private static final String LM_HEAD = "lm_head.weight";

  /**
   * @param parameters the flat vector
   * @param dtype the checkpoint's dtype when all used tensors share one, else F32
   * @param files the safetensors files read
   */
  public record Loaded(float[] parameters, SafetensorsDtype dtype, List<String> files) {}

  private record Found(String file, String stored, TensorInfo info) {}

  private HfWeights() {}

  public static Loaded read(HfFolder folder, HfConfig config) throws IOException {
    TransformerLayout layout = TransformerLayout.of(config.shape());
    List<String> files = files(folder);
    Map<String, Found> found = headers(folder, files, config.family());
    List<String> missing = new ArrayList<>();
    Set<SafetensorsDtype> dtypes = EnumSet.noneOf(SafetensorsDtype.class);
    for (TransformerLayout.Tensor t : layout.tensors()) {
      Found f = found.get(t.name());
      if (f == null) {
        missing.add(t.name());
        continue;
      }
      long[] expected = Arrays.stream(t.shape()).asLongStream().toArray();
      if (!Arrays.equals(expected, f.info().shape())) {
        throw new HfFormatException(folder.describe(f.file()), f.stored() + ": shape "
            + Arrays.toString(f.info().shape()) + " but " + HfConfig.FILE_NAME + " ("
            + describe(config) + ") gives " + Arrays.toString(expected));
      }
      dtypes.add(f.info().dtype());
    }
    if (!missing.isEmpty()) {
      throw new HfFormatException(folder.describe(files.size() == 1 ? files.get(0)
          : SafetensorsIndex.FILE_NAME), "missing " + list(missing) + " that "
          + HfConfig.FILE_NAME + " (" + config.architecture() + ", " + describe(config)
          + ") needs");
    }
    Found lmHead = null;
    List<String> unused = new ArrayList<>();
    for (Map.Entry<String, Found> e : found.entrySet()) {
      String name = e.getKey();
      if (layout.has(name)) {
        continue;
      }
      if (config.family() == TransformerFamily.GPT2 && GPT2_BUFFER.matcher(name).matches()) {
        continue;
      }
      if (name.equals(LM_HEAD) && config.shape().tiedHead()) {
        lmHead = e.getValue();
        continue;
      }
      unused.add(e.getValue().stored() + " (" + e.getValue().file() + ")");
    }
    if (!unused.isEmpty()) {
      throw new HfFormatException(folder.describe(files.size() == 1 ? files.get(0)
          : SafetensorsIndex.FILE_NAME), "unused " + list(unused) + ": " + HfConfig.FILE_NAME
          + " (" + config.architecture() + ", " + describe(config) + ") has no place for "
          + (unused.size() == 1 ? "it" : "them"));
    }
    float[] parameters = new float[layout.parameterCount()];
    float[] head = lmHead == null ? null : new float[layout.embedding().length()];
    Map<String, Integer> offsets = new LinkedHashMap<>();
    Map<String, String> byStored = new LinkedHashMap<>();
    for (Map.Entry<String, Found> e : found.entrySet()) {
      byStored.put(e.getValue().file() + "\u0000" + e.getValue().stored(), e.getKey());
    }
    for (TransformerLayout.Tensor t : layout.tensors()) {
      offsets.put(t.name(), t.offset());
    }
    for (String file : files) {
      read(folder, file, (stored) -> {
        String name = byStored.get(file + "\u0000" + stored);
        if (name == null) {
          return null;
        }
        Integer offset = offsets.get(name);
        if (offset != null) {
          return new SafetensorsReader.Destination(parameters, offset);
        }
        if (head != null && name.equals(LM_HEAD)) {
          return new SafetensorsReader.Destination(head, 0);
        }
        return null;
      });
    }
    if (head != null) {
      TransformerLayout.Tensor embedding = layout.embedding();
      for (int i = 0; i < head.length; i++) {
        if (Float.floatToRawIntBits(head[i]) != Float.floatToRawIntBits(
            parameters[embedding.offset() + i])) {
          throw new HfFormatException(folder.describe(lmHead.file()), LM_HEAD + " differs from "
              + embedding.name() + " (first at element " + i + ": " + head[i] + " vs "
              + parameters[embedding.offset() + i] + ") but the head is tied ("
              + (config.family() == TransformerFamily.GPT2 ? "GPT-2 always ties it"
              : "tie_word_embeddings = true") + ")");
        }
      }
    }
    return new Loaded(parameters, dtypes.size() == 1 ? dtypes.iterator().next()
        : SafetensorsDtype.F32, files);
  }

  /** The safetensors files: the index's shards in name order, or the single file. */
  static List<String> files(HfFolder folder) throws IOException {
    if (folder.exists(SafetensorsIndex.FILE_NAME)) {
      SafetensorsIndex index;
      try (InputStream in = folder.open(SafetensorsIndex.FILE_NAME)) {
        index = SafetensorsIndex.read(folder.describe(SafetensorsIndex.FILE_NAME), in);
      }
      List<String> shards = new ArrayList<>(index.tensorsByShard().keySet());
      for (String shard : shards) {
        if (!folder.exists(shard)) {
          throw new HfFormatException(folder.describe(SafetensorsIndex.FILE_NAME), "weight_map"
              + " names shard " + shard + ", which does not exist (" + folder.describe(shard)
              + ")");
        }
      }
      return shards;
    }
    if (folder.exists(SINGLE_FILE)) {
      return List.of(SINGLE_FILE);
    }
    throw new HfFormatException(folder.describe(SINGLE_FILE), "no such file, and no "
        + SafetensorsIndex.FILE_NAME + " (only safetensors checkpoints are read; convert a"
        + " pytorch_model.bin with transformers' save_pretrained(safe_serialization=True))");
  }

  /** Every header, checked; checkpoint tensor name (GPT-2 prefix added) to where it is. */
  private static Map<String, Found> headers(HfFolder folder, List<String> files,
      TransformerFamily family) throws IOException {
    SafetensorsIndex index = null;
    if (files.size() > 1 || !files.get(0).equals(SINGLE_FILE)) {
      try (InputStream in = folder.open(SafetensorsIndex.FILE_NAME)) {
        index = SafetensorsIndex.read(folder.describe(SafetensorsIndex.FILE_NAME), in);
      }
    }
    List<Found> all = new ArrayList<>();
    for (String file : files) {
      SafetensorsHeader header = header(folder, file);
      if (index != null) {
        index.checkShard(file, header);
      }
      for (TensorInfo t : header.tensors()) {
        all.add(new Found(file, t.name(), t));
      }
    }
    boolean unprefixed = family == TransformerFamily.GPT2
        && all.stream().noneMatch(f -> f.stored().startsWith("transformer."))
        && all.stream().anyMatch(f -> f.stored().equals("wte.weight"));
    Map<String, Found> out = new LinkedHashMap<>();
    for (Found f : all) {
      String name = unprefixed && !f.stored().equals(LM_HEAD) ? "transformer." + f.stored()
          : f.stored();
      Found before = out.put(name, f);
      if (before != null) {
        throw new HfFormatException(folder.describe(f.file()), f.stored() + " is also in "
            + before.file() + " (as " + before.stored() + ")");
      }
    }
    return out;
  }

  private static SafetensorsHeader header(HfFolder folder, String file) throws IOException {
    Path local = folder.localPath(file);
    if (local != null) {
      try (SafetensorsFile f = SafetensorsFile.open(local)) {
        return f.header();
      }
    }
    String source = folder.describe(file);
    long length = folder.length(file);
    try (InputStream in = folder.open(file)) {
      SafetensorsHeader header = SafetensorsReader.readHeader(source, in);
      long end = header.dataStart() + header.dataLength();
      if (end != length) {
        throw new SafetensorsFormatException(source, "the header's tensors end at byte " + end
            + " but the file has " + length + " bytes"
            + (end > length ? " (truncated file?)" : " (trailing bytes)"));
      }
      return header;
    }
  }

  @FunctionalInterface
  private interface Target {
    SafetensorsReader.Destination of(String storedName);
  }

  private static void read(HfFolder folder, String file, Target target) throws IOException {
    Path local = folder.localPath(file);
    if (local != null) {
      try (SafetensorsFile f = SafetensorsFile.open(local)) {
        for (TensorInfo t : f.header().tensors()) {
          SafetensorsReader.Destination d = target.of(t.name());
          if (d != null) {
            f.read(t.name(), d.array(), d.offset());
          }
        }
      }
      return;
    }
    try (InputStream in = folder.open(file)) {
      SafetensorsReader.read(folder.describe(file), in, t -> target.of(t.name()));
    }
  }

  private static String describe(HfConfig config) {
    var s = config.shape();
    return "vocabulary " + s.vocabularySize() + ", " + s.layers() + " layers, width "
        + s.modelWidth() + ", " + s.heads() + " heads, " + s.kvHeads() + " kv heads, mlp "
        + s.mlpWidth() + (s.family() == TransformerFamily.GPT2 ? ", " + s.maxPositions()
        + " positions" : "") + (s.attentionBias() ? ", q/k/v biases" : "")
        + (s.tiedHead() ? ", tied head" : ", untied head");
  }

  private static String list(List<String> names) {
    String head = names.size() == 1 ? "tensor " + names.get(0) : names.size() + " tensors "
        + String.join(", ", names.subList(0, Math.min(5, names.size())));
    return head + (names.size() > 5 ? ", ..." : "");
  }
}
