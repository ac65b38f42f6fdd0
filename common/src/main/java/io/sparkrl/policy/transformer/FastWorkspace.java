package io.sparkrl.policy.transformer;

import io.sparkrl.gradient.NativeFloats;
import java.util.HashMap;
import java.util.Map;

/**
 * Named buffers of one engine role on one thread, native (for BLAS) and on the heap (for the
 * element-wise loops), grown to the largest request and then reused: after the first batch of a
 * given size, a pass allocates nothing of its size.
 */
final class FastWorkspace {
  private final Map<String, NativeFloats> natives = new HashMap<>();
  private final Map<String, float[]> arrays = new HashMap<>();
  /** The engine whose forward pass the buffers hold. */
  Object owner;

  NativeFloats nat(String name, int size) {
    NativeFloats f = natives.get(name);
    if (f == null || f.size < size) {
      f = new NativeFloats(size);
      natives.put(name, f);
    }
    return f;
  }

  float[] heap(String name, int size) {
    float[] a = arrays.get(name);
    if (a == null || a.length < size) {
      a = new float[size];
      arrays.put(name, a);
    }
    return a;
  }

  /** Bytes held: native and heap floats. */
  long bytes() {
    long total = nativeBytes();
    for (float[] a : arrays.values()) {
      total += 4L * a.length;
    }
    return total;
  }

  /**
   * Bytes held outside the heap (the BLAS operands): what a YARN container or Kubernetes pod counts
   * against {@code spark.executor.memoryOverhead}.
   */
  long nativeBytes() {
    long total = 0;
    for (NativeFloats f : natives.values()) {
      total += 4L * f.size;
    }
    return total;
  }
}
