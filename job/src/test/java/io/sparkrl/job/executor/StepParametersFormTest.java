package io.sparkrl.job.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.JavaSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.junit.jupiter.api.Test;
import scala.reflect.ClassTag$;

class StepParametersFormTest {
  private static final int PER_CHUNK = StepParametersForm.CHUNK_BYTES / 4;

  /**
   * Through Spark's JavaSerializer, as a broadcast goes: every float's bits, 4 bytes each (and
   * the object stream's block headers).
   */
  @Test
  void sparksSerializerKeepsEveryBitAtFourBytesAParameter() {
    SerializerInstance serializer = new JavaSerializer(new SparkConf(false)).newInstance();
    Random random = new Random(11);
    for (int length : new int[] {0, 1, 7, PER_CHUNK - 1, PER_CHUNK, PER_CHUNK + 1,
        3 * PER_CHUNK + 5}) {
      float[] values = new float[length];
      for (int i = 0; i < length; i++) {
        values[i] = (float) random.nextGaussian();
      }
      if (length > 6) {
        values[1] = -0.0f;
        values[2] = Float.intBitsToFloat(0x7fc00123); // a NaN with a payload
        values[3] = Float.MIN_VALUE;
        values[4] = Float.NEGATIVE_INFINITY;
        values[5] = Float.intBitsToFloat(0xffbfffff); // a signalling NaN's bits
      }
      SnapshotSource.StepParameters sent = new SnapshotSource.StepParameters(41L + length, values);
      ByteBuffer bytes = serializer.serialize(sent, ClassTag$.MODULE$.apply(Object.class));
      int size = bytes.remaining();
      SnapshotSource.StepParameters back = serializer.deserialize(bytes,
          ClassTag$.MODULE$.apply(Object.class));
      assertEquals(sent.step(), back.step());
      assertEquals(length, back.values().length);
      for (int i = 0; i < length; i++) {
        assertEquals(Float.floatToRawIntBits(values[i]), Float.floatToRawIntBits(back.values()[i]),
            "length " + length + ", entry " + i);
      }
      // the stream's block headers: 5 bytes per 1,024 of data, plus the class descriptors
      assertTrue(size >= 4L * length && size < 4L * length * (1 + 6.0 / 1024) + 400,
          "length " + length + ": " + size + " bytes");
    }
  }

  /** Element by element (Java's way with a float[]) and in bulk give the same floats. */
  @Test
  void sameValuesAsPlainJavaSerializationOfTheArray() throws Exception {
    float[] values = new float[2 * PER_CHUNK + 3];
    Random random = new Random(5);
    for (int i = 0; i < values.length; i++) {
      values[i] = random.nextFloat() * 200 - 100;
    }
    float[] plain = (float[]) read(write(values));
    SnapshotSource.StepParameters bulk = (SnapshotSource.StepParameters) read(write(
        new SnapshotSource.StepParameters(3, values)));
    assertTrue(Arrays.equals(plain, bulk.values()));
  }

  /** A stream cut short is an error, not parameters padded with zeros. */
  @Test
  void truncatedStreamFails() throws Exception {
    byte[] whole = write(new SnapshotSource.StepParameters(9, new float[3 * PER_CHUNK]));
    byte[] cut = Arrays.copyOf(whole, whole.length - 4 * PER_CHUNK);
    assertThrows(IOException.class, () -> read(cut));
  }

  private static byte[] write(Object o) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(o);
    }
    return bytes.toByteArray();
  }

  private static Object read(byte[] bytes) throws IOException, ClassNotFoundException {
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
      return in.readObject();
    }
  }
}
