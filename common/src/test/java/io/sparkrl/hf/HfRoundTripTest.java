package io.sparkrl.hf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkrl.policy.PolicySnapshot;
import io.sparkrl.policy.transformer.TransformerArchitecture;
import io.sparkrl.policy.transformer.TransformerLayout;
import io.sparkrl.tokenizer.Vocabulary;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Import then export gives the checkpoint's tensors bit for bit (the stored bytes of every tensor,
 * in the checkpoint's own dtype, under Hugging Face's names), a config.json of the architecture
 * whose tensors these are, and a folder that imports back to the same parameters and shape.
 */
class HfRoundTripTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path tmp;

  static Iterable<String> fixtures() {
    return HfFixtures.NAMES;
  }

  @ParameterizedTest
  @MethodSource("fixtures")
  void exportGivesTheSameTensorsBitForBit(String name) throws IOException {
    Path source = HfFixtures.folder(name);
    HfFolder folder = HfFolder.local(source);
    HfConfig config = HfImport.config(folder);
    HfWeights.Loaded loaded = HfWeights.read(folder, config);
    // 43 characters + 5 specials = the fixtures' 48 ids; a character vocabulary exports no tokenizer
    PolicySnapshot policy = new PolicySnapshot(new TransformerArchitecture(config.shape()),
        loaded.parameters(), Vocabulary.ofCharacters("abcdefghijklmnopqrstuvwxyz0123456789 .,?!+-"),
        0);
    Path out = tmp.resolve("export");
    HfExport.Written written = HfExport.write(policy, loaded.dtype(), HfOutput.local(out));
    assertFalse(written.tokenizer());
    assertEquals(List.of("model.safetensors", "generation_config.json", "config.json"),
        written.files());

    Map<String, byte[]> original = tensorBytes(source, loaded.files());
    Map<String, byte[]> exported = tensorBytes(out, List.of("model.safetensors"));
    TransformerLayout layout = TransformerLayout.of(config.shape());
    assertEquals(layout.tensors().size(), exported.size());
    for (TransformerLayout.Tensor t : layout.tensors()) {
      byte[] before = original.get(t.name());
      if (before == null) { // GPT-2 stored without the transformer. prefix
        before = original.get(t.name().substring("transformer.".length()));
      }
      assertArrayEquals(before, exported.get(t.name()), name + ": " + t.name());
    }

    JsonNode c = JSON.readTree(out.resolve("config.json").toFile());
    String expected = name.startsWith("gpt2") ? "GPT2LMHeadModel"
        : name.startsWith("qwen2") ? "Qwen2ForCausalLM" : "LlamaForCausalLM";
    assertEquals(expected, c.get("architectures").get(0).asText());
    assertEquals(HfExport.torchDtype(loaded.dtype()), c.get("torch_dtype").asText());
    assertEquals(Vocabulary.EOS, JSON.readTree(out.resolve("generation_config.json").toFile())
        .get("eos_token_id").asInt());

    HfConfig again = HfImport.config(HfFolder.local(out));
    assertEquals(config.shape(), again.shape());
    HfWeights.Loaded reloaded = HfWeights.read(HfFolder.local(out), again);
    assertArrayEquals(loaded.parameters(), reloaded.parameters());
    assertEquals(loaded.dtype(), reloaded.dtype());
  }

  /** Each tensor's stored bytes, by its name in the file. */
  static Map<String, byte[]> tensorBytes(Path dir, List<String> files) throws IOException {
    Map<String, byte[]> out = new HashMap<>();
    for (String file : files) {
      try (SafetensorsFile f = SafetensorsFile.open(dir.resolve(file));
          FileChannel ch = FileChannel.open(dir.resolve(file))) {
        for (TensorInfo t : f.header().tensors()) {
          ByteBuffer b = ByteBuffer.allocate((int) t.byteLength());
          ch.read(b, f.header().dataStart() + t.begin());
          out.put(t.name(), Arrays.copyOf(b.array(), b.position()));
        }
      }
    }
    assertTrue(Files.exists(dir.resolve(files.get(0))));
    return out;
  }
}
