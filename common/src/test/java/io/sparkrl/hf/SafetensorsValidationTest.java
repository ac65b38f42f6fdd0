package io.sparkrl.hf;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Malformed files: each is refused, by both readers, with a message naming the file and the key. */
class SafetensorsValidationTest {
  @TempDir Path dir;

  private static final String T = "{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":";

  /** Both readers refuse the bytes with a SafetensorsFormatException whose message has every part. */
  private void assertRefused(byte[] file, String... parts) throws IOException {
    IOException streamed = assertThrows(IOException.class, () ->
        SafetensorsReader.readAll("bad.safetensors", new ByteArrayInputStream(file)));
    Path path = dir.resolve("bad.safetensors");
    Files.write(path, file);
    IOException mapped = assertThrows(IOException.class, () -> {
      try (SafetensorsFile f = SafetensorsFile.open(path)) {
        for (TensorInfo t : f.header().tensors()) {
          f.read(t.name());
        }
      }
    });
    for (IOException e : new IOException[] {streamed, mapped}) {
      assertTrue(e instanceof SafetensorsFormatException, e.toString());
      assertTrue(e.getMessage().contains("bad.safetensors"), e.getMessage());
      for (String part : parts) {
        assertTrue(e.getMessage().contains(part), "wanted \"" + part + "\" in: " + e.getMessage());
      }
    }
  }

  @Test
  void truncatedData() throws IOException {
    byte[] good = SafetensorsFixtures.resource("mixed.safetensors");
    // Cut inside the last non-empty tensor ("scalar", 4 bytes at the end before the empty one).
    assertRefused(Arrays.copyOf(good, good.length - 2), "truncated", "scalar");
  }

  @Test
  void truncatedBeforeTheHeaderLength() throws IOException {
    assertRefused(new byte[] {1, 0, 0}, "truncated");
  }

  @Test
  void headerLengthBeyondTheFile() throws IOException {
    byte[] good = SafetensorsFixtures.resource("mixed.safetensors");
    assertRefused(Arrays.copyOf(good, 100), "header length", "beyond the end of the file");
  }

  @Test
  void implausibleHeaderLength() throws IOException {
    byte[] file = new byte[16];
    Arrays.fill(file, (byte) 0x7F);
    assertRefused(file, "header length");
  }

  @Test
  void notJson() throws IOException {
    assertRefused(SafetensorsFixtures.file("{\"a\": [1, 2", new byte[0]), "not valid JSON");
  }

  @Test
  void overlappingOffsets() throws IOException {
    assertRefused(SafetensorsFixtures.file("{\"a\":" + T + "[0,8]},\"b\":" + T + "[4,12]}}",
        new byte[12]), "b", "overlap");
  }

  @Test
  void gapBetweenTensors() throws IOException {
    assertRefused(SafetensorsFixtures.file("{\"a\":" + T + "[0,8]},\"b\":" + T + "[12,20]}}",
        new byte[20]), "b", "gap");
  }

  @Test
  void offsetsBeyondTheData() throws IOException {
    byte[] file = SafetensorsFixtures.file("{\"a\":" + T + "[0,8]},\"b\":" + T + "[8,16]}}", new byte[10]);
    // The mapped reader knows the size and says so; the stream finds the end while reading b.
    assertRefused(file, "b");
  }

  @Test
  void shapeDisagreesWithTheByteLength() throws IOException {
    assertRefused(SafetensorsFixtures.file("{\"w\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[0,8]}}",
        new byte[8]), "w", "needs 6 bytes");
  }

  @Test
  void unsupportedDtypeIsNamed() throws IOException {
    assertRefused(SafetensorsFixtures.file("{\"ids\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}",
        new byte[8]), "ids", "unsupported dtype I64");
    assertRefused(SafetensorsFixtures.file("{\"x\":{\"dtype\":\"Q4\",\"shape\":[1],\"data_offsets\":[0,1]}}",
        new byte[1]), "x", "unknown dtype \"Q4\"");
  }

  @Test
  void duplicateNames() throws IOException {
    assertRefused(SafetensorsFixtures.file("{\"a\":" + T + "[0,8]},\"a\":" + T + "[8,16]}}",
        new byte[16]), "a", "Duplicate");
  }

  @Test
  void missingDataOffsets() throws IOException {
    assertRefused(SafetensorsFixtures.file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", new byte[4]),
        "w", "data_offsets");
  }
}
