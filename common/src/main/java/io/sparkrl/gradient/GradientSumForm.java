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
    ByteBuffer floats = ByteBuffer.allocate(4 * g.length);
    for (int i = 0; i < g.length; i++) {
      long bits = Double.doubleToRawLongBits(g[i]);
      zero &= bits == 0;
      float f = (float) g[i];
      floats.putFloat(4 * i, f);
      if (Double.doubleToRawLongBits(f) != bits) {
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
    if (k > g.length / 3) { // 12 bytes per exception: plain doubles are smaller
      out.writeByte(DOUBLES);
      ByteBuffer doubles = ByteBuffer.allocate(8 * g.length);
      doubles.asDoubleBuffer().put(g);
      out.write(doubles.array());
      return;
    }
    out.writeByte(FLOATS);
    out.write(floats.array());
    out.writeInt(k);
    ByteBuffer rest = ByteBuffer.allocate(12 * k);
    for (int j = 0; j < k; j++) {
      rest.putInt(exceptions[j]).putLong(Double.doubleToRawLongBits(g[exceptions[j]]));
    }
    out.write(rest.array());
  }

  @Override
  public void readExternal(ObjectInput in) throws IOException {
    long sequences = in.readLong();
    long tokens = in.readLong();
    double lossSum = in.readDouble();
    double[] g = new double[in.readInt()];
    byte form = in.readByte();
    if (form == DOUBLES) {
      byte[] bytes = new byte[8 * g.length];
      in.readFully(bytes);
      ByteBuffer.wrap(bytes).asDoubleBuffer().get(g);
    } else if (form == FLOATS) {
      byte[] bytes = new byte[4 * g.length];
      in.readFully(bytes);
      ByteBuffer floats = ByteBuffer.wrap(bytes);
      for (int i = 0; i < g.length; i++) {
        g[i] = floats.getFloat(4 * i);
      }
      int k = in.readInt();
      byte[] restBytes = new byte[12 * k];
      in.readFully(restBytes);
      ByteBuffer rest = ByteBuffer.wrap(restBytes);
      for (int j = 0; j < k; j++) {
        int i = rest.getInt();
        g[i] = Double.longBitsToDouble(rest.getLong());
      }
    }
    sum = new GradientSum(g, sequences, tokens, lossSum);
  }

  private Object readResolve() throws ObjectStreamException {
    return sum;
  }
}
