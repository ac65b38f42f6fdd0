package io.sparkrl.hf;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrl.tokenizer.bpe.BpeTrainer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every way a model folder can be unusable is an IOException naming the file, the key or tensor,
 * and the problem, raised before any tensor's values are read where the headers show it.
 */
class HfImportErrorsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path tmp;

  private static void assertMessage(IOException e, String... parts) {
    for (String p : parts) {
      assertTrue(e.getMessage().contains(p), "\"" + p + "\" not in: " + e.getMessage());
    }
  }

  private IOException importFails(Path dir) {
    return assertThrows(IOException.class, () -> {
      HfConfig config = HfImport.config(HfFolder.local(dir));
      HfWeights.read(HfFolder.local(dir), config);
    });
  }

  private IOException streamedImportFails(Path dir) {
    return assertThrows(IOException.class, () -> {
      HfConfig config = HfImport.config(HfFixtures.streamed(dir));
      HfWeights.read(HfFixtures.streamed(dir), config);
    });
  }

  private static void editConfig(Path dir, Map<String, Object> changes) throws IOException {
    ObjectNode c = (ObjectNode) JSON.readTree(dir.resolve("config.json").toFile());
    changes.forEach((k, v) -> c.set(k, JSON.valueToTree(v)));
    Files.writeString(dir.resolve("config.json"), c.toString());
  }

  @Test
  void truncatedSafetensorsNamesTheFile() throws IOException {
    Path dir = HfFixtures.copy("mistral-mqa-f16", tmp);
    Path file = dir.resolve("model.safetensors");
    byte[] all = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(all, all.length - 100));
    assertMessage(importFails(dir), file.toString(), "truncated");
    assertMessage(streamedImportFails(dir), file.toString(), "truncated");
  }

  @Test
  void headerThatLiesAboutOffsetsNamesTheTensor() throws IOException {
    Path dir = HfFixtures.copy("qwen2-bias-tied-bf16", tmp);
    Path file = dir.resolve("model.safetensors");
    byte[] all = Files.readAllBytes(file);
    long length = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    ObjectNode header = (ObjectNode) JSON.readTree(new String(all, 8, (int) length,
        StandardCharsets.UTF_8).trim());
    ObjectNode norm = (ObjectNode) header.get("model.norm.weight");
    long begin = norm.get("data_offsets").get(0).asLong();
    norm.set("data_offsets", JSON.valueToTree(List.of(begin - 8, begin + 24))); // overlaps
    byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
    try (OutputStream out = Files.newOutputStream(file)) {
      out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).array());
      out.write(json);
      out.write(all, 8 + (int) length, all.length - 8 - (int) length);
    }
    assertMessage(importFails(dir), file.toString(), "model.norm.weight", "data_offsets");
    assertMessage(streamedImportFails(dir), file.toString(), "model.norm.weight", "data_offsets");
  }

  @Test
  void configWhoseShapesDisagreeNamesTensorAndShapes() throws IOException {
    Path dir = HfFixtures.copy("llama-gqa-untied-f32", tmp);
    editConfig(dir, Map.of("intermediate_size", 32));
    assertMessage(importFails(dir), "model-00001-of-00002.safetensors",
        "model.layers.0.mlp.gate_proj.weight", "shape [24, 16]", "config.json", "[32, 16]");
  }

  @Test
  void unsupportedArchitecturesAndSettingsNameTheKey() throws IOException {
    String[][] cases = {
        {"architectures", "[\"FalconForCausalLM\"]", "FalconForCausalLM"},
        {"rope_scaling", "{\"type\": \"linear\", \"factor\": 2.0}", "rope scaling"},
        {"num_local_experts", "8", "mixture-of-experts"},
        {"hidden_act", "\"gelu\"", "silu"},
        {"head_dim", "8", "head_dim"},
        {"attention_bias", "true", "o_proj"},
        {"num_key_value_heads", "3", "must divide"},
        {"quantization_config", "{\"quant_method\": \"gptq\"}", "quantized"},
    };
    for (String[] c : cases) {
      Path dir = HfFixtures.copy("llama-gqa-untied-f32", tmp.resolve(c[0]));
      editConfig(dir, Map.of(c[0], JSON.readTree(c[1])));
      IOException e = importFails(dir);
      assertTrue(e instanceof HfFormatException, e.toString());
      assertMessage(e, dir.resolve("config.json").toString(), c[0], c[2]);
    }
    Path qwen = HfFixtures.copy("qwen2-bias-tied-bf16", tmp.resolve("window"));
    editConfig(qwen, Map.of("use_sliding_window", true));
    assertMessage(importFails(qwen), "config.json", "use_sliding_window", "sliding-window");
    Path mistral = HfFixtures.copy("mistral-mqa-f16", tmp.resolve("mistral-window"));
    editConfig(mistral, Map.of("sliding_window", 16));
    assertMessage(importFails(mistral), "config.json", "sliding_window = 16");
    Path gpt2 = HfFixtures.copy("gpt2-lmhead-bf16", tmp.resolve("gpt2"));
    editConfig(gpt2, Map.of("activation_function", "relu"));
    assertMessage(importFails(gpt2), "config.json", "activation_function", "relu");
  }

  @Test
  void missingAndUnusedTensorsAreNamed() throws IOException {
    Path dir = HfFixtures.copy("mistral-mqa-f16", tmp.resolve("missing"));
    rewrite(dir.resolve("model.safetensors"), "model.layers.1.mlp.up_proj.weight", null);
    assertMessage(importFails(dir), "model.safetensors", "missing tensor",
        "model.layers.1.mlp.up_proj.weight");
    Path extra = HfFixtures.copy("mistral-mqa-f16", tmp.resolve("extra"));
    rewrite(extra.resolve("model.safetensors"), null, "model.layers.0.self_attn.o_proj.bias");
    assertMessage(importFails(extra), "model.safetensors", "unused tensor",
        "model.layers.0.self_attn.o_proj.bias");
  }

  @Test
  void tiedLmHeadMustEqualTheEmbedding() throws IOException {
    Path dir = HfFixtures.copy("gpt2-lmhead-bf16", tmp);
    Path file = dir.resolve("model.safetensors");
    Map<String, float[]> tensors;
    try (var in = Files.newInputStream(file)) {
      tensors = SafetensorsReader.readAll(file.toString(), in);
    }
    tensors.get("lm_head.weight")[5] += 1;
    write(file, tensors, SafetensorsDtype.BF16);
    assertMessage(importFails(dir), "model.safetensors", "lm_head.weight differs",
        "transformer.wte.weight", "element 5");
  }

  @Test
  void tokenizerThatIsNotJsonNamesTheFile() throws IOException {
    Path dir = HfFixtures.copy("mistral-mqa-f16", tmp);
    Files.writeString(dir.resolve("tokenizer.json"), "this is not JSON {");
    IOException e = assertThrows(IOException.class, () -> HfImport.read(HfFolder.local(dir)));
    assertMessage(e, dir.resolve("tokenizer.json").toString(), "JSON");
  }

  @Test
  void tokenizerLargerThanTheVocabularyIsRefused() throws IOException {
    Path dir = HfFixtures.copy("mistral-mqa-f16", tmp);
    Files.writeString(dir.resolve("tokenizer.json"),
        new BpeTrainer(300).train(List.of("a tiny corpus")).toJson());
    IOException e = assertThrows(IOException.class, () -> HfImport.read(HfFolder.local(dir)));
    assertMessage(e, "tokenizer.json", "has 257 token ids", "vocab_size = 48");
  }

  @Test
  void missingWeightsAndMissingConfigAreNamed() throws IOException {
    Path dir = HfFixtures.copy("mistral-mqa-f16", tmp);
    Files.delete(dir.resolve("model.safetensors"));
    assertMessage(importFails(dir), "model.safetensors", "no such file");
    Files.delete(dir.resolve("config.json"));
    assertMessage(importFails(dir), "config.json", "no such file");
  }

  /** Rewrites a safetensors file without {@code drop} and with an extra F16 tensor {@code add}. */
  private static void rewrite(Path file, String drop, String add) throws IOException {
    Map<String, float[]> tensors;
    try (var in = Files.newInputStream(file)) {
      tensors = SafetensorsReader.readAll(file.toString(), in);
    }
    if (drop != null) {
      tensors.remove(drop);
    }
    if (add != null) {
      tensors.put(add, new float[16]);
    }
    write(file, tensors, SafetensorsDtype.F16);
  }

  private static void write(Path file, Map<String, float[]> tensors, SafetensorsDtype dtype)
      throws IOException {
    Map<String, long[]> shapes = new java.util.HashMap<>();
    try (SafetensorsFile f = SafetensorsFile.open(file)) {
      for (TensorInfo t : f.header().tensors()) {
        shapes.put(t.name(), t.shape());
      }
    }
    List<SafetensorsWriter.Tensor> out = new ArrayList<>();
    tensors.forEach((name, values) -> out.add(new SafetensorsWriter.Tensor(name, dtype,
        shapes.getOrDefault(name, new long[] {values.length}), values, 0)));
    try (OutputStream o = Files.newOutputStream(file)) {
      SafetensorsWriter.write(o, out);
    }
  }
}
