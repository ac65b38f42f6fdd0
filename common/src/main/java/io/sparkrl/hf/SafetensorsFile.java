package io.sparkrl.hf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A local safetensors file, read in any order: the header is read and validated against the
 * file's size on open, and each tensor's bytes are memory-mapped only while it is decoded (so a
 * file over 2 GB needs no single mapping, and the file is never copied onto the heap).
 */
public final class SafetensorsFile implements AutoCloseable {
  private final String source;
  private final FileChannel channel;
  private final SafetensorsHeader header;

  private SafetensorsFile(String source, FileChannel channel, SafetensorsHeader header) {
    this.source = source;
    this.channel = channel;
    this.header = header;
  }

  public static SafetensorsFile open(Path path) throws IOException {
    String source = path.toString();
    FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
    try {
      long size = channel.size();
      if (size < 8) {
        throw new SafetensorsFormatException(source, "truncated: " + size
            + " bytes, fewer than the 8 of the header length");
      }
      ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(channel, lengthBytes, 0);
      long length = SafetensorsHeader.checkLength(source, lengthBytes.getLong(0), size);
      ByteBuffer json = ByteBuffer.allocate((int) length);
      readFully(channel, json, 8);
      SafetensorsHeader header = SafetensorsHeader.parse(source, json.array(), size - 8 - length);
      return new SafetensorsFile(source, channel, header);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  private static void readFully(FileChannel channel, ByteBuffer into, long position)
      throws IOException {
    while (into.hasRemaining()) {
      if (channel.read(into, position + into.position()) < 0) {
        throw new IOException("unexpected end of file");
      }
    }
  }

  public SafetensorsHeader header() {
    return header;
  }

  /** The tensor as a new float[] (row-major). */
  public float[] read(String name) throws IOException {
    TensorInfo t = header.tensor(name);
    float[] out = new float[(int) Math.min(t.elements(), Integer.MAX_VALUE)];
    read(name, out, 0);
    return out;
  }

  /** Decodes the tensor to float32 into dest[offset, offset + elements). */
  public void read(String name, float[] dest, int offset) throws IOException {
    TensorInfo t = header.tensor(name);
    int count = TensorDecoding.checkDestination(source, t, dest, offset);
    if (count == 0) {
      return;
    }
    MappedByteBuffer mapped =
        channel.map(FileChannel.MapMode.READ_ONLY, header.dataStart() + t.begin(), t.byteLength());
    TensorDecoding.decode(t.dtype(), mapped, dest, offset, count);
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
