package io.sparkrl.hf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Little-endian F32/F16/BF16 bytes to float32, and checks of a caller's destination. */
final class TensorDecoding {
  private TensorDecoding() {}

  /** Decodes {@code count} elements from the buffer's position (little-endian) into dest[offset..]. */
  static void decode(SafetensorsDtype dtype, ByteBuffer src, float[] dest, int offset, int count) {
    ByteBuffer le = src.order(ByteOrder.LITTLE_ENDIAN);
    switch (dtype) {
      case F32 -> le.asFloatBuffer().get(dest, offset, count);
      case F16 -> {
        int p = le.position();
        for (int i = 0; i < count; i++) {
          dest[offset + i] = HalfFloats.f16ToFloat(le.getShort(p + 2 * i));
        }
      }
      case BF16 -> {
        int p = le.position();
        for (int i = 0; i < count; i++) {
          dest[offset + i] = HalfFloats.bf16ToFloat(le.getShort(p + 2 * i));
        }
      }
      default -> throw new IllegalStateException("dtype " + dtype);
    }
    le.position(le.position() + count * dtype.bytes());
  }

  /** The tensor's element count as an int, after checking that dest[offset..] holds it. */
  static int checkDestination(String source, TensorInfo t, float[] dest, int offset) {
    long n = t.elements();
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(source + ": " + t.name() + " has " + n
          + " elements, more than one float[] holds");
    }
    if (offset < 0 || offset > dest.length || dest.length - offset < n) {
      throw new IllegalArgumentException(source + ": " + t.name() + " has " + n
          + " elements; the destination float[" + dest.length + "] from offset " + offset
          + " has room for " + Math.max(0, dest.length - Math.max(0, offset)));
    }
    return (int) n;
  }
}
