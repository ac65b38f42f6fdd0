package io.sparkrl.hf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads the files PyTorch wrote (scripts/fixtures/safetensors_reference.py) and checks every value. */
class SafetensorsReaderTest {
  @TempDir Path dir;

  private static void assertMatchesExpected(String fixture, Map<String, float[]> read) {
    JsonNode tensors = SafetensorsFixtures.expected(fixture).get("tensors");
    assertEquals(tensors.size(), read.size());
    for (Iterator<String> it = tensors.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      int[] expected = SafetensorsFixtures.ints(tensors.get(name).get("f32_bits"));
      assertArrayEquals(expected, SafetensorsFixtures.bitsOf(read.get(name)), name);
    }
  }

  @Test
  void streamedReadGivesTorchsFloat32Values() throws IOException {
    byte[] bytes = SafetensorsFixtures.resource("mixed.safetensors");
    Map<String, float[]> read = SafetensorsReader.readAll("mixed.safetensors", new ByteArrayInputStream(bytes));
    assertMatchesExpected("mixed", read);
    assertEquals(List.of("model.embed.weight", "model.norm.weight", "lm_head.weight", "special.f16",
        "special.bf16", "special.f32", "scalar", "empty"), new ArrayList<>(read.keySet()));
  }

  @Test
  void headerDescribesShapesTypesAndMetadata() throws IOException {
    SafetensorsHeader h = SafetensorsReader.readHeader("mixed.safetensors",
        new ByteArrayInputStream(SafetensorsFixtures.resource("mixed.safetensors")));
    assertEquals(Map.of("format", "pt"), h.metadata());
    assertEquals(SafetensorsDtype.F16, h.tensor("model.norm.weight").dtype());
    assertArrayEquals(new long[] {2, 3, 4}, h.tensor("model.norm.weight").shape());
    assertArrayEquals(new long[] {}, h.tensor("scalar").shape());
    assertEquals(1, h.tensor("scalar").elements());
    assertEquals(0, h.tensor("empty").elements());
    assertEquals(0, h.dataStart() % 8, "the header is padded so that data starts 8-aligned");
    IOException e = assertThrows(IOException.class, () -> h.tensor("nope"));
    assertTrue(e.getMessage().contains("mixed.safetensors") && e.getMessage().contains("nope"), e.getMessage());
  }

  @Test
  void memoryMappedReadGivesTheSameValues() throws IOException {
    Path file = dir.resolve("mixed.safetensors");
    Files.write(file, SafetensorsFixtures.resource("mixed.safetensors"));
    try (SafetensorsFile f = SafetensorsFile.open(file)) {
      Map<String, float[]> read = new java.util.LinkedHashMap<>();
      // Out of file order on purpose: a mapped file reads in any order.
      List<TensorInfo> tensors = new ArrayList<>(f.header().tensors());
      java.util.Collections.reverse(tensors);
      for (TensorInfo t : tensors) {
        read.put(t.name(), f.read(t.name()));
      }
      assertMatchesExpected("mixed", read);
    }
  }

  @Test
  void readsIntoCallerArraysAtOffsetsAndSkipsUnwantedTensors() throws IOException {
    byte[] bytes = SafetensorsFixtures.resource("mixed.safetensors");
    float[] big = new float[100];
    Arrays.fill(big, -7f);
    SafetensorsReader.read("mixed.safetensors", new ByteArrayInputStream(bytes), t ->
        t.name().equals("lm_head.weight") ? new SafetensorsReader.Destination(big, 10) : null);
    int[] expected = SafetensorsFixtures.ints(
        SafetensorsFixtures.expected("mixed").get("tensors").get("lm_head.weight").get("f32_bits"));
    assertArrayEquals(expected, SafetensorsFixtures.bitsOf(Arrays.copyOfRange(big, 10, 34)));
    assertEquals(-7f, big[9]);
    assertEquals(-7f, big[34]);

    IllegalArgumentException tooSmall = assertThrows(IllegalArgumentException.class, () ->
        SafetensorsReader.read("mixed.safetensors", new ByteArrayInputStream(bytes), t ->
            new SafetensorsReader.Destination(new float[10], 0)));
    assertTrue(tooSmall.getMessage().contains("model.embed.weight"), tooSmall.getMessage());
  }

  @Test
  void shardedCheckpointThroughItsIndex() throws IOException {
    SafetensorsIndex index = SafetensorsIndex.read(SafetensorsIndex.FILE_NAME,
        new ByteArrayInputStream(SafetensorsFixtures.resource(SafetensorsIndex.FILE_NAME)));
    assertEquals(List.of("model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"),
        new ArrayList<>(index.tensorsByShard().keySet()));
    assertEquals("model-00002-of-00002.safetensors", index.shardOf("layers.1.w"));
    for (Map.Entry<String, List<String>> shard : index.tensorsByShard().entrySet()) {
      Path file = dir.resolve(shard.getKey());
      Files.write(file, SafetensorsFixtures.resource(shard.getKey()));
      try (SafetensorsFile f = SafetensorsFile.open(file)) {
        index.checkShard(shard.getKey(), f.header());
        Map<String, float[]> read = new java.util.LinkedHashMap<>();
        for (String tensor : shard.getValue()) {
          read.put(tensor, f.read(tensor));
        }
        assertMatchesExpected(shard.getKey().replace(".safetensors", ""), read);
      }
    }
    SafetensorsHeader first = SafetensorsReader.readHeader("model-00001-of-00002.safetensors",
        new ByteArrayInputStream(SafetensorsFixtures.resource("model-00001-of-00002.safetensors")));
    SafetensorsFormatException wrongShard = assertThrows(SafetensorsFormatException.class,
        () -> index.checkShard("model-00002-of-00002.safetensors", first));
    assertTrue(wrongShard.getMessage().contains("layers.0."), wrongShard.getMessage());
    assertThrows(IllegalArgumentException.class, () -> index.shardOf("layers.9.w"));
  }

  @Test
  void indexWithoutWeightMapIsRefused() {
    SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () ->
        SafetensorsIndex.read("model.safetensors.index.json",
            new ByteArrayInputStream("{\"metadata\":{}}".getBytes())));
    assertTrue(e.getMessage().contains("weight_map"), e.getMessage());
  }
}
