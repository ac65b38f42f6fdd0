package io.sparkrl.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class ParamsDigestTest {
  @Test
  void hashesLittleEndianFloat32() {
    float[] p = new float[10_000];
    for (int i = 0; i < p.length; i++) {
      p[i] = (float) Math.sin(i);
    }
    ByteBuffer b = ByteBuffer.allocate(p.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : p) {
      b.putFloat(f);
    }
    assertEquals(ParamsDigest.sha256(b.array()), ParamsDigest.sha256(p));
  }

  @Test
  void knownVectorAndOneBitChanges() {
    // SHA-256 of the 4 bytes 00 00 80 3f (1.0f little-endian), computed independently with sha256sum.
    assertEquals("e00e5eb9444182f352323374ef4e08ebcb784725fdd4fd612d7730540b3e0c8c",
        ParamsDigest.sha256(new float[] {1f}));
    float[] a = {1f, 2f};
    float[] b = {1f, Math.nextUp(2f)};
    assertNotEquals(ParamsDigest.sha256(a), ParamsDigest.sha256(b));
  }
}
