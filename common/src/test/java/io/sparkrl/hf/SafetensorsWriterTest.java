package io.sparkrl.hf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SafetensorsWriterTest {
  /** Reads a file and writes every tensor back in its own dtype and order. */
  private static byte[] rewrite(byte[] file) throws IOException {
    SafetensorsHeader header = SafetensorsReader.readHeader("in", new ByteArrayInputStream(file));
    Map<String, float[]> values = SafetensorsReader.readAll("in", new ByteArrayInputStream(file));
    List<SafetensorsWriter.Tensor> tensors = new ArrayList<>();
    for (TensorInfo t : header.tensors()) {
      tensors.add(new SafetensorsWriter.Tensor(t.name(), t.dtype(), t.shape(), values.get(t.name()), 0));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    SafetensorsWriter.write(out, tensors, header.metadata());
    return out.toByteArray();
  }

  /**
   * PyTorch's file (F32, F16, BF16, NaN, infinities, subnormals, a scalar, an empty tensor) read to
   * float32 and written back is the same file, byte for byte: same header layout and padding.
   */
  @Test
  void readThenWriteReproducesTheReferenceFileExactly() throws IOException {
    byte[] reference = SafetensorsFixtures.resource("mixed.safetensors");
    assertArrayEquals(reference, rewrite(reference));
  }

  @Test
  void f32RoundTripIsBitIdenticalAndHeaderIsPadded() throws IOException {
    float[] a = {1.5f, -0f, Float.NaN, Float.intBitsToFloat(0x7FA00001), Float.MIN_VALUE, 3e38f};
    float[] b = new float[12];
    for (int i = 0; i < b.length; i++) {
      b[i] = (float) Math.sin(i);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    SafetensorsWriter.write(out, List.of(
        SafetensorsWriter.Tensor.f32("z.last.but.first", new long[] {2, 3}, a),
        new SafetensorsWriter.Tensor("a", SafetensorsDtype.BF16, new long[] {3, 4}, b, 0)));
    byte[] file = out.toByteArray();
    SafetensorsHeader h = SafetensorsReader.readHeader("out", new ByteArrayInputStream(file));
    assertEquals(0, h.headerLength() % 8);
    assertEquals(Map.of("format", "pt"), h.metadata());
    assertEquals("z.last.but.first", h.tensors().get(0).name(), "tensors in the order given");
    Map<String, float[]> back = SafetensorsReader.readAll("out", new ByteArrayInputStream(file));
    assertArrayEquals(SafetensorsFixtures.bitsOf(a), SafetensorsFixtures.bitsOf(back.get("z.last.but.first")));
    for (int i = 0; i < b.length; i++) {
      assertEquals(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(b[i])), back.get("a")[i]);
    }
    assertArrayEquals(file, rewrite(file));
  }

  @Test
  void refusesDuplicateNamesAndShortData() {
    float[] x = new float[4];
    IllegalArgumentException dup = assertThrows(IllegalArgumentException.class, () ->
        SafetensorsWriter.write(new ByteArrayOutputStream(), List.of(
            SafetensorsWriter.Tensor.f32("w", new long[] {4}, x),
            SafetensorsWriter.Tensor.f32("w", new long[] {4}, x))));
    assertEquals("tensor \"w\" given twice", dup.getMessage());
    IllegalArgumentException shortData = assertThrows(IllegalArgumentException.class, () ->
        SafetensorsWriter.write(new ByteArrayOutputStream(), List.of(
            SafetensorsWriter.Tensor.f32("w", new long[] {2, 3}, x))));
    assertEquals(true, shortData.getMessage().startsWith("w: shape [2, 3] needs 6 values"));
  }
}
