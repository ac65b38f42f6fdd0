package io.sparkrl.hf;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads safetensors from a stream, in one pass: the header, then each tensor in the order of its
 * bytes, decoded to float32 straight into the caller's arrays through a small buffer. Nothing is
 * held twice and nothing needs seeking, so any Hadoop FileSystem stream serves (for local files,
 * {@link SafetensorsFile} maps the tensors instead).
 */
public final class SafetensorsReader {
  private static final int BUFFER_BYTES = 1 << 16;

  private SafetensorsReader() {}

  /** Where a tensor's float32 values go: array[offset, offset + elements). */
  public record Destination(float[] array, int offset) {}

  /** Chooses each tensor's destination, or null to skip the tensor's bytes. */
  @FunctionalInterface
  public interface Destinations {
    Destination of(TensorInfo tensor);
  }

  /** Reads the length and the header from the stream, which is left at the first data byte. */
  public static SafetensorsHeader readHeader(String source, InputStream in) throws IOException {
    byte[] lengthBytes = new byte[8];
    int got = in.readNBytes(lengthBytes, 0, 8);
    if (got < 8) {
      throw new SafetensorsFormatException(source, "truncated: " + got
          + " bytes, fewer than the 8 of the header length");
    }
    long length = ByteBuffer.wrap(lengthBytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
    SafetensorsHeader.checkLength(source, length, -1);
    byte[] json = in.readNBytes((int) length);
    if (json.length < length) {
      throw new SafetensorsFormatException(source, "header length " + length
          + " goes beyond the end of the file (it ends " + json.length + " bytes into the header)");
    }
    return SafetensorsHeader.parse(source, json, -1);
  }

  /**
   * Reads the whole stream: the header, then every tensor, in file order, into the destination
   * the caller names for it (or past it, for null). Returns the header.
   */
  public static SafetensorsHeader read(String source, InputStream in, Destinations where)
      throws IOException {
    SafetensorsHeader header = readHeader(source, in);
    byte[] buffer = new byte[BUFFER_BYTES];
    ByteBuffer wrapped = ByteBuffer.wrap(buffer);
    long position = 0;
    for (TensorInfo t : header.tensors()) {
      Destination d = where.of(t);
      if (d == null) {
        skip(source, in, t);
        position = t.end();
        continue;
      }
      int count = TensorDecoding.checkDestination(source, t, d.array(), d.offset());
      int elementBytes = t.dtype().bytes();
      int perChunk = BUFFER_BYTES / elementBytes;
      int done = 0;
      while (done < count) {
        int n = Math.min(perChunk, count - done);
        int bytes = n * elementBytes;
        int got = in.readNBytes(buffer, 0, bytes);
        if (got < bytes) {
          throw truncated(source, t, position + (long) done * elementBytes + got);
        }
        wrapped.clear();
        TensorDecoding.decode(t.dtype(), wrapped, d.array(), d.offset() + done, n);
        done += n;
      }
      position = t.end();
    }
    return header;
  }

  /** Every tensor of the stream as a new float[] (row-major), in file order. */
  public static Map<String, float[]> readAll(String source, InputStream in) throws IOException {
    Map<String, float[]> out = new LinkedHashMap<>();
    read(source, in, t -> {
      float[] a = new float[(int) Math.min(t.elements(), Integer.MAX_VALUE)];
      out.put(t.name(), a);
      return new Destination(a, 0);
    });
    return out;
  }

  private static void skip(String source, InputStream in, TensorInfo t)
      throws IOException {
    long left = t.byteLength();
    while (left > 0) {
      long skipped = in.skip(left);
      if (skipped <= 0) {
        if (in.read() < 0) {
          throw truncated(source, t, t.end() - left);
        }
        skipped = 1;
      }
      left -= skipped;
    }
  }

  private static SafetensorsFormatException truncated(String source, TensorInfo t, long at) {
    return new SafetensorsFormatException(source, "truncated: " + t.name() + " needs data bytes ["
        + t.begin() + ", " + t.end() + ") but the file ends at data byte " + at);
  }
}
