package io.sparkrl.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class AdamWStateTest {
  private static final AdamWState STATE =
      new AdamWState(7, new double[] {0.25, -1e-300, 3.0}, new double[] {1e-12, 0.0, 9.0});

  @Test
  void roundTripsExactly() throws IOException {
    byte[] bytes = write(STATE);
    assertEquals(4 + 4 + 8 + 4 + 3 * 8 * 2 + 8, bytes.length);
    assertEquals(AdamWState.MAGIC, ByteBuffer.wrap(bytes).getInt(0));
    AdamWState read = read(bytes);
    assertEquals(STATE, read);
    assertArrayEquals(STATE.m(), read.m(), 0.0);
    assertEquals(new AdamWState(0, new double[0], new double[0]), read(write(new AdamWState(0, new double[0], new double[0]))));
  }

  @Test
  void javaSerializationKeepsTheValues() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(STATE);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      assertEquals(STATE, in.readObject());
    }
  }

  @Test
  void holdsItsOwnCopies() {
    double[] m = {1.0};
    AdamWState s = new AdamWState(1, m, new double[] {2.0});
    m[0] = 5.0;
    s.m()[0] = 6.0;
    assertEquals(1.0, s.m()[0], 0.0);
    assertThrows(IllegalArgumentException.class, () -> new AdamWState(1, new double[1], new double[2]));
    assertThrows(IllegalArgumentException.class, () -> new AdamWState(-1, new double[1], new double[1]));
  }

  @Test
  void rejectsCorruptInput() throws IOException {
    byte[] good = write(STATE);

    byte[] magic = good.clone();
    magic[0] ^= 1;
    assertTrue(assertThrows(IOException.class, () -> read(magic)).getMessage().contains("magic"));

    byte[] version = good.clone();
    ByteBuffer.wrap(version).putInt(4, 2);
    assertTrue(assertThrows(IOException.class, () -> read(version)).getMessage().contains("version"));

    byte[] flipped = good.clone();
    flipped[4 + 4 + 8 + 4 + 8 + 3] ^= 0x10;   // inside m[1]
    assertTrue(assertThrows(IOException.class, () -> read(flipped)).getMessage().contains("checksum"));

    byte[] truncated = java.util.Arrays.copyOf(good, good.length - 1);
    assertThrows(IOException.class, () -> read(truncated));

    byte[] negative = good.clone();
    ByteBuffer.wrap(negative).putInt(16, -3);
    assertThrows(IOException.class, () -> read(negative));

    // A huge length with little data behind it ends in IOException, not OutOfMemoryError.
    byte[] huge = good.clone();
    ByteBuffer.wrap(huge).putInt(16, Integer.MAX_VALUE - 8);
    assertThrows(IOException.class, () -> read(huge));

    assertThrows(IOException.class, () -> read(new byte[0]));
  }

  @Test
  void rejectsValuesNoOptimizerProduces() {
    assertThrows(IOException.class, () -> read(writeRaw(1, new double[] {0.0}, new double[] {Double.NaN})));
    assertThrows(IOException.class, () -> read(writeRaw(1, new double[] {0.0}, new double[] {-1.0})));
    assertThrows(IOException.class,
        () -> read(writeRaw(1, new double[] {Double.POSITIVE_INFINITY}, new double[] {0.0})));
    assertThrows(IOException.class, () -> read(writeRaw(-1, new double[] {0.0}, new double[] {0.0})));
  }

  private static byte[] write(AdamWState state) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    state.writeTo(new DataOutputStream(bytes));
    return bytes.toByteArray();
  }

  private static byte[] writeRaw(long t, double[] m, double[] v) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    AdamWState.write(new DataOutputStream(bytes), t, m, v);
    return bytes.toByteArray();
  }

  private static AdamWState read(byte[] bytes) throws IOException {
    return AdamWState.readFrom(new DataInputStream(new ByteArrayInputStream(bytes)));
  }
}
