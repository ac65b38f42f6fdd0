package io.sparkrl.optim;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;
import java.util.zip.CRC32;

/**
 * Everything {@link AdamW} learns while it runs: the step count and both moment vectors. Saving it
 * with the parameters lets a resumed run continue bit for bit; restarting with zero moments instead
 * would re-run the bias-corrected first steps, which are large (about {@code lr · sign(g)}).
 *
 * <p>The record holds its own copies: the arrays given to the constructor and those returned by
 * {@link #m()} and {@link #v()} are never shared.
 *
 * <p>Binary layout (big-endian, as {@link DataOutput} writes): int magic {@code "AdmW"}, int format
 * version, long t, int n, n doubles m, n doubles v, long CRC-32 of everything from t to the last v.
 *
 * @param t the number of updates applied so far, {@code >= 0}
 * @param m the first-moment estimate, one per parameter
 * @param v the second-moment estimate, one per parameter, of the same length as m
 */
public record AdamWState(long t, double[] m, double[] v) implements Serializable {
  private static final long serialVersionUID = 1L;

  /** {@code "AdmW"} in ASCII. */
  static final int MAGIC = 0x41646D57;
  static final int FORMAT_VERSION = 1;

  /** The largest array length a JVM reliably allocates. */
  private static final int MAX_LENGTH = Integer.MAX_VALUE - 8;
  /** Arrays grow as data arrives, so a corrupt length fails on end of input, not out of memory. */
  private static final int INITIAL_CHUNK = 1 << 16;

  public AdamWState {
    Objects.requireNonNull(m, "m == null");
    Objects.requireNonNull(v, "v == null");
    if (t < 0) {
      throw new IllegalArgumentException("t = " + t + ": must be >= 0");
    }
    if (m.length != v.length) {
      throw new IllegalArgumentException("m has " + m.length + " entries but v has " + v.length);
    }
    m = m.clone();
    v = v.clone();
  }

  /** The number of parameters. */
  public int size() {
    return m.length;
  }

  /** A copy of the first moment. */
  @Override
  public double[] m() {
    return m.clone();
  }

  /** A copy of the second moment. */
  @Override
  public double[] v() {
    return v.clone();
  }

  /** Writes this state in the binary layout described on the class. */
  public void writeTo(DataOutput out) throws IOException {
    write(out, t, m, v);
  }

  /**
   * Reads a state written by {@link #writeTo} or {@link AdamW#writeTo}.
   *
   * @throws IOException on a wrong magic number or format version, truncated input, a checksum
   *     mismatch, or values no optimizer could have produced (negative t or length, non-finite
   *     moments, negative second moment)
   */
  public static AdamWState readFrom(DataInput in) throws IOException {
    int magic = in.readInt();
    if (magic != MAGIC) {
      throw new IOException("not an AdamW state: magic number 0x" + Integer.toHexString(magic)
          + ", expected 0x" + Integer.toHexString(MAGIC));
    }
    int version = in.readInt();
    if (version != FORMAT_VERSION) {
      throw new IOException("unsupported AdamW state format version " + version + ", expected "
          + FORMAT_VERSION);
    }
    Checksum crc = new Checksum();
    long t = crc.add(in.readLong());
    int n = (int) crc.add(in.readInt());
    if (t < 0) {
      throw new IOException("corrupt AdamW state: step count " + t);
    }
    if (n < 0 || n > MAX_LENGTH) {
      throw new IOException("corrupt AdamW state: parameter count " + n);
    }
    double[] m = readDoubles(in, n, crc);
    double[] v = readDoubles(in, n, crc);
    long stored = in.readLong();
    if (stored != crc.value()) {
      throw new IOException("corrupt AdamW state: checksum 0x" + Long.toHexString(stored)
          + " does not match the data (0x" + Long.toHexString(crc.value()) + ")");
    }
    for (int i = 0; i < n; i++) {
      if (!Double.isFinite(m[i]) || !Double.isFinite(v[i]) || v[i] < 0.0) {
        throw new IOException("corrupt AdamW state: m[" + i + "] = " + m[i] + ", v[" + i + "] = " + v[i]);
      }
    }
    return new AdamWState(t, m, v);
  }

  /** Writes without copying the optimizer's arrays, which may be large. */
  static void write(DataOutput out, long t, double[] m, double[] v) throws IOException {
    Checksum crc = new Checksum();
    out.writeInt(MAGIC);
    out.writeInt(FORMAT_VERSION);
    out.writeLong(crc.add(t));
    out.writeInt((int) crc.add(m.length));
    for (double x : m) {
      out.writeLong(crc.add(Double.doubleToRawLongBits(x)));
    }
    for (double x : v) {
      out.writeLong(crc.add(Double.doubleToRawLongBits(x)));
    }
    out.writeLong(crc.value());
  }

  private static double[] readDoubles(DataInput in, int n, Checksum crc) throws IOException {
    double[] out = new double[Math.min(n, INITIAL_CHUNK)];
    for (int i = 0; i < n; i++) {
      if (i == out.length) {
        out = Arrays.copyOf(out, (int) Math.min(n, 2L * out.length));
      }
      out[i] = Double.longBitsToDouble(crc.add(in.readLong()));
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AdamWState s && t == s.t && Arrays.equals(m, s.m) && Arrays.equals(v, s.v);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Long.hashCode(t) + Arrays.hashCode(m)) + Arrays.hashCode(v);
  }

  @Override
  public String toString() {
    return "AdamWState[t=" + t + ", size=" + m.length + "]";
  }

  /** CRC-32 over the big-endian bytes of the values, exactly as they are written. */
  private static final class Checksum {
    private final CRC32 crc = new CRC32();
    private final byte[] buffer = new byte[8];

    long add(long value) {
      for (int i = 0; i < 8; i++) {
        buffer[i] = (byte) (value >>> (56 - 8 * i));
      }
      crc.update(buffer, 0, 8);
      return value;
    }

    int add(int value) {
      for (int i = 0; i < 4; i++) {
        buffer[i] = (byte) (value >>> (24 - 8 * i));
      }
      crc.update(buffer, 0, 4);
      return value;
    }

    long value() {
      return crc.getValue();
    }
  }
}
