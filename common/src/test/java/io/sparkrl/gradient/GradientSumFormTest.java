package io.sparkrl.gradient;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

class GradientSumFormTest {
  @Test
  void roundTripKeepsEveryDoubleBitAndHalvesTheBytes() throws Exception {
    Random random = new Random(7);
    double[] g = new double[10_000];
    for (int i = 0; i < g.length; i++) {
      g[i] = i % 97 == 0 ? random.nextGaussian() : (float) random.nextGaussian(); // some not floats
    }
    g[3] = -0.0;
    g[5] = Double.longBitsToDouble(0x7ff8000000000123L); // a NaN with a payload no float keeps
    g[6] = Double.MIN_VALUE;
    g[7] = 1e300;
    GradientSum sum = new GradientSum(g, 12, 345, -6.5);
    byte[] bytes = serialize(sum);
    GradientSum back = (GradientSum) deserialize(bytes);
    assertEquals(sum.sequences(), back.sequences());
    assertEquals(sum.tokens(), back.tokens());
    assertEquals(sum.lossSum(), back.lossSum());
    for (int i = 0; i < g.length; i++) {
      assertEquals(Double.doubleToRawLongBits(g[i]), Double.doubleToRawLongBits(back.gradient()[i]),
          "entry " + i);
    }
    int plain = serialize(g).length;
    assertTrue(bytes.length < 0.6 * plain, bytes.length + " bytes against " + plain);
  }

  /** A merged sum (mostly not floats) goes as plain doubles: bit for bit, no larger than them. */
  @Test
  void aSumOfSumsGoesAsDoubles() throws Exception {
    Random random = new Random(11);
    double[] g = new double[10_000];
    for (int i = 0; i < g.length; i++) {
      g[i] = random.nextGaussian();
    }
    g[9] = -0.0;
    GradientSum sum = new GradientSum(g, 3, 30, 1.25);
    byte[] bytes = serialize(sum);
    GradientSum back = (GradientSum) deserialize(bytes);
    for (int i = 0; i < g.length; i++) {
      assertEquals(Double.doubleToRawLongBits(g[i]), Double.doubleToRawLongBits(back.gradient()[i]),
          "entry " + i);
    }
    assertEquals(30, back.tokens());
    assertTrue(bytes.length <= 8.1 * g.length, bytes.length + " bytes for " + g.length
        + " doubles (12 per entry as exceptions would be " + 16 * g.length + ")");
  }

  /** Sums longer than the conversion buffer cross its chunk boundaries without losing a bit. */
  @Test
  void sumsLongerThanTheBufferCrossItsChunks() throws Exception {
    Random random = new Random(13);
    int n = 5 * GradientSumForm.CHUNK_BYTES / 4 + 3; // five float chunks and a partial one
    double[] floats = new double[n];
    double[] doubles = new double[n];
    for (int i = 0; i < n; i++) {
      floats[i] = i % 1009 == 0 ? random.nextGaussian() : (float) random.nextGaussian();
      doubles[i] = random.nextGaussian();
    }
    for (double[] g : new double[][] {floats, doubles}) {
      GradientSum back = (GradientSum) deserialize(serialize(new GradientSum(g, 2, 9, 0.5)));
      for (int i = 0; i < n; i++) {
        assertEquals(Double.doubleToRawLongBits(g[i]),
            Double.doubleToRawLongBits(back.gradient()[i]), "entry " + i);
      }
    }
  }

  @Test
  void anAllZeroSumIsTiny() throws Exception {
    byte[] bytes = serialize(GradientSum.zero(200_000));
    GradientSum back = (GradientSum) deserialize(bytes);
    assertArrayEquals(new double[200_000], back.gradient());
    assertEquals(0, back.sequences());
    assertTrue(bytes.length < 1000, bytes.length + " bytes");
  }

  @Test
  void minusZeroIsNotMistakenForZero() throws Exception {
    double[] g = new double[4];
    g[2] = -0.0;
    GradientSum back = (GradientSum) deserialize(serialize(new GradientSum(g, 1, 1, 0)));
    assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(back.gradient()[2]));
  }

  private static byte[] serialize(Object o) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(o);
    }
    return bytes.toByteArray();
  }

  private static Object deserialize(byte[] bytes) throws Exception {
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
      return in.readObject();
    }
  }
}
