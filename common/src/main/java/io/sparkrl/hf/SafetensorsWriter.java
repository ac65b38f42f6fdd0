package io.sparkrl.hf;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes safetensors as Hugging Face's writer lays them out: the 8-byte little-endian header
 * length, the compact JSON header ({@code __metadata__} first, then the tensors in the order
 * given) padded with spaces to a multiple of 8 bytes, so that the data starts 8-aligned; then the
 * tensors' bytes back to back in the same order. Values are float32 in memory and stored as F32
 * (bit for bit), or narrowed to BF16/F16 on request (round to nearest even, see
 * {@link HalfFloats}).
 */
public final class SafetensorsWriter {
  /** The metadata PyTorch-flavoured checkpoints carry; the default when none is given. */
  public static final Map<String, String> PT_METADATA = Map.of("format", "pt");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int CHUNK_ELEMENTS = 1 << 14;

  private SafetensorsWriter() {}

  /** One tensor to write: the row-major values data[offset, offset + product(shape)). */
  public record Tensor(String name, SafetensorsDtype dtype, long[] shape, float[] data, int offset) {
    public Tensor {
      shape = shape.clone();
    }

    public static Tensor f32(String name, long[] shape, float[] data) {
      return new Tensor(name, SafetensorsDtype.F32, shape, data, 0);
    }

    long elements() {
      long n = 1;
      for (long d : shape) {
        if (d < 0) {
          throw new IllegalArgumentException(name + ": negative dimension in " + Arrays.toString(shape));
        }
        n = Math.multiplyExact(n, d);
      }
      return n;
    }
  }

  /** Writes the tensors with {@link #PT_METADATA}. */
  public static void write(OutputStream out, List<Tensor> tensors) throws IOException {
    write(out, tensors, PT_METADATA);
  }

  /** Writes the tensors in the order given; metadata may be empty (then no __metadata__ entry). */
  public static void write(OutputStream out, List<Tensor> tensors, Map<String, String> metadata)
      throws IOException {
    byte[] header = header(tensors, metadata);
    ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    length.putLong(header.length);
    out.write(length.array());
    out.write(header);
    ByteBuffer chunk = ByteBuffer.allocate(CHUNK_ELEMENTS * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (Tensor t : tensors) {
      int n = (int) t.elements();
      for (int done = 0; done < n; done += CHUNK_ELEMENTS) {
        int m = Math.min(CHUNK_ELEMENTS, n - done);
        chunk.clear();
        for (int i = 0; i < m; i++) {
          float v = t.data()[t.offset() + done + i];
          switch (t.dtype()) {
            case F32 -> chunk.putInt(Float.floatToRawIntBits(v));
            case F16 -> chunk.putShort(HalfFloats.floatToF16(v));
            case BF16 -> chunk.putShort(HalfFloats.floatToBf16(v));
            default -> throw new IllegalStateException("dtype " + t.dtype());
          }
        }
        out.write(chunk.array(), 0, chunk.position());
      }
    }
    out.flush();
  }

  /** The padded header JSON, after checking names and data sizes. */
  static byte[] header(List<Tensor> tensors, Map<String, String> metadata) throws IOException {
    Map<String, Object> root = new LinkedHashMap<>();
    if (metadata != null && !metadata.isEmpty()) {
      root.put("__metadata__", new java.util.TreeMap<>(metadata));
    }
    Set<String> names = new HashSet<>();
    long offset = 0;
    for (Tensor t : tensors) {
      if (t.name() == null || t.name().isEmpty() || t.name().equals("__metadata__")) {
        throw new IllegalArgumentException("not a tensor name: \"" + t.name() + "\"");
      }
      if (!names.add(t.name())) {
        throw new IllegalArgumentException("tensor \"" + t.name() + "\" given twice");
      }
      long n = t.elements();
      if (t.offset() < 0 || t.data().length - (long) t.offset() < n) {
        throw new IllegalArgumentException(t.name() + ": shape " + Arrays.toString(t.shape())
            + " needs " + n + " values but float[" + t.data().length + "] from offset "
            + t.offset() + " has fewer");
      }
      long bytes = n * t.dtype().bytes();
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("dtype", t.dtype().name());
      entry.put("shape", t.shape());
      entry.put("data_offsets", new long[] {offset, offset + bytes});
      root.put(t.name(), entry);
      offset += bytes;
    }
    byte[] json = JSON.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
    int padded = (json.length + 7) / 8 * 8;
    byte[] out = Arrays.copyOf(json, padded);
    Arrays.fill(out, json.length, padded, (byte) ' ');
    return out;
  }
}
