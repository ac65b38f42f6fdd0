package io.sparkrl.gradient;

import java.io.Externalizable;
import java.io.IOException;
import java.io.ObjectInput;
import java.io.ObjectOutput;
import java.io.ObjectStreamException;
import java.nio.ByteBuffer;

/**
 * The serialized form of a {@link GradientSum}, lossless and about half the size of a double[]:
 * a task's gradient sum is mostly weight gradients that the backward pass summed in float, so
 * most entries are floats held in doubles. Each entry goes as a float; the few whose double bits
 * a float does not give back (biases and embeddings summed in double, NaN payloads) follow as
 * (index, double bits). An all-zero sum (a task without prompts) goes as its length only; a sum
 * whose entries are mostly not floats (a merge of several tasks' sums, from the merge tree) goes
 * as plain doubles.
 * Reading gives back every double bit for bit, so a merged step does not change.
 */
final class GradientSumForm implements Externalizable {
  private static final long serialVersionUID = 1L;
  private static final byte ZERO = 0;
  private static final byte FLOATS = 1;
  /** Most entries are not floats (a sum of sums, merged on an executor): 8 bytes each. */
  private static final byte DOUBLES = 2;
  /**
   * Entries are converted and written (read and converted back) through a buffer of this size, not
   * one array of the whole sum: at 25.7M parameters that array would be 103 MB, allocated fresh
   * for every task's result on the executor and again on the driver.
   */
  static final int CHUNK_BYTES = 1 << 16;

  private GradientSum sum;

  /** For deserialization only. */
  public GradientSumForm() {}

  GradientSumForm(GradientSum sum) {
    this.sum = sum;
  }

  @Override
  public void writeExternal(ObjectOutput out) throws IOException {
    double[] g = sum.gradient();
    out.writeLong(sum.sequences());
    out.writeLong(sum.tokens());
    out.writeDouble(sum.lossSum());
    out.writeInt(g.length);
    int[] exceptions = new int[16];
    int k = 0;
    boolean zero = true;
    for (int i = 0; i < g.length; i++) {
      long bits = Double.doubleToRawLongBits(g[i]);
      zero &= bits == 0;
      if (Double.doubleToRawLongBits((float) g[i]) != bits) {
        if (k == exceptions.length) {
          exceptions = java.util.Arrays.copyOf(exceptions, 2 * k);
        }
        exceptions[k++] = i;
      }
    }
    if (zero) {
      out.writeByte(ZERO);
      return;
    }
    byte[] chunk = new byte[CHUNK_BYTES];
    ByteBuffer view = ByteBuffer.wrap(chunk);
    if (k > g.length / 3) { // 12 bytes per exception: plain doubles are smaller
      out.writeByte(DOUBLES);
      for (int from = 0; from < g.length; from += CHUNK_BYTES / 8) {
        int n = Math.min(CHUNK_BYTES / 8, g.length - from);
        view.clear();
        view.asDoubleBuffer().put(g, from, n);
        out.write(chunk, 0, 8 * n);
      }
      return;
    }
    out.writeByte(FLOATS);
    for (int from = 0; from < g.length; from += CHUNK_BYTES / 4) {
      int n = Math.min(CHUNK_BYTES / 4, g.length - from);
      for (int j = 0; j < n; j++) {
        view.putFloat(4 * j, (float) g[from + j]);
      }
      out.write(chunk, 0, 4 * n);
    }
    out.writeInt(k);
    for (int j = 0; j < k; j++) {
      out.writeInt(exceptions[j]);
      out.writeLong(Double.doubleToRawLongBits(g[exceptions[j]]));
    }
  }

  @Override
  public void readExternal(ObjectInput in) throws IOException {
    long sequences = in.readLong();
    long tokens = in.readLong();
    double lossSum = in.readDouble();
    double[] g = new double[in.readInt()];
    byte form = in.readByte();
    if (form != ZERO) {
      byte[] chunk = new byte[CHUNK_BYTES];
      ByteBuffer view = ByteBuffer.wrap(chunk);
      if (form == DOUBLES) {
        for (int from = 0; from < g.length; from += CHUNK_BYTES / 8) {
          int n = Math.min(CHUNK_BYTES / 8, g.length - from);
          in.readFully(chunk, 0, 8 * n);
          view.clear();
          view.asDoubleBuffer().get(g, from, n);
        }
      } else {
        for (int from = 0; from < g.length; from += CHUNK_BYTES / 4) {
          int n = Math.min(CHUNK_BYTES / 4, g.length - from);
          in.readFully(chunk, 0, 4 * n);
          for (int j = 0; j < n; j++) {
            g[from + j] = view.getFloat(4 * j);
          }
        }
        int k = in.readInt();
        for (int j = 0; j < k; j++) {
          int i = in.readInt();
          g[i] = Double.longBitsToDouble(in.readLong());
        }
      }
    }
    sum = new GradientSum(g, sequences, tokens, lossSum);
  }

  private Object readResolve() throws ObjectStreamException {
    return sum;
  }
}
