package io.sparkrl.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** The committed reference files (scripts/fixtures/safetensors_reference.py) and hand-made ones. */
final class SafetensorsFixtures {
  private SafetensorsFixtures() {}

  static byte[] resource(String name) {
    try (InputStream in = SafetensorsFixtures.class.getResourceAsStream("/safetensors/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource safetensors/" + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The expected.json of a reference file: tensors.{name}.{dtype, shape, *_bits}. */
  static JsonNode expected(String name) {
    try {
      return new ObjectMapper().readTree(resource(name + ".expected.json"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static int[] ints(JsonNode array) {
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asInt();
    }
    return out;
  }

  static float[] floatsFromBits(JsonNode array) {
    int[] bits = ints(array);
    float[] out = new float[bits.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = Float.intBitsToFloat(bits[i]);
    }
    return out;
  }

  static int[] bitsOf(float[] values) {
    int[] out = new int[values.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = Float.floatToRawIntBits(values[i]);
    }
    return out;
  }

  /** A file with the given header text (not padded) and data bytes. */
  static byte[] file(String headerJson, byte[] data) {
    byte[] header = headerJson.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(header.length).put(header).put(data);
    return b.array();
  }
}
