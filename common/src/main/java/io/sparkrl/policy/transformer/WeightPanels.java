package io.sparkrl.policy.transformer;

import java.util.HashMap;
import java.util.Map;

/**
 * Every weight the sampler multiplies by (each linear map and the head), rearranged once per
 * parameter version into panels of {@link #WIDTH} output columns: panel p of a weight with
 * {@code in} inputs is {@code in} consecutive runs of 16 floats, run i holding
 * {@code W[p*16 .. p*16+16), i]} (zeros past the last output). A product then streams each panel
 * once from the start, with no packing per call (OpenBLAS packs a weight on every call, which at a
 * sampler's few rows costs more than the multiplication). Plain Java: the products over these
 * panels are {@link PanelProducts}.
 *
 * <p>Memory: as many floats as the weights of the matrix products, rounded up to whole panels, on
 * the heap.
 */
final class WeightPanels {
  /** Output columns per panel: two 8-float vectors. */
  static final int WIDTH = 16;

  private final Map<FastWeights.Linear, float[]> panels = new HashMap<>();

  WeightPanels(FastWeights w) {
    for (FastWeights.Linear f : w.linears()) {
      panels.computeIfAbsent(f, g -> new float[size(g)]);
    }
    pack(w.values);
  }

  /** Bytes the panels of {@code w} take, without building them. */
  static long bytes(FastWeights w) {
    long floats = 0;
    for (FastWeights.Linear f : new java.util.HashSet<>(w.linears())) {
      floats += size(f);
    }
    return 4 * floats;
  }

  /** Floats a weight's panels take. */
  static int size(FastWeights.Linear f) {
    long size = (long) panels(f.out()) * WIDTH * f.in();
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("a weight of " + f.out() + " x " + f.in()
          + " is too large for one Java array");
    }
    return (int) size;
  }

  static int panels(int out) {
    return (out + WIDTH - 1) / WIDTH;
  }

  /** Rewrites every panel from the flat parameter vector (same shape as when built). */
  void pack(float[] values) {
    for (Map.Entry<FastWeights.Linear, float[]> e : panels.entrySet()) {
      pack(e.getKey(), values, e.getValue());
    }
  }

  static void pack(FastWeights.Linear f, float[] values, float[] to) {
    int in = f.in();
    int out = f.out();
    for (int p = 0; p < panels(out); p++) {
      int base = p * in * WIDTH;
      for (int c = 0; c < WIDTH; c++) {
        int o = p * WIDTH + c;
        if (o >= out) {
          for (int i = 0; i < in; i++) {
            to[base + i * WIDTH + c] = 0f;
          }
        } else if (f.outIn()) {
          int from = f.weight() + o * in;
          for (int i = 0; i < in; i++) {
            to[base + i * WIDTH + c] = values[from + i];
          }
        } else {
          int from = f.weight() + o;
          for (int i = 0; i < in; i++) {
            to[base + i * WIDTH + c] = values[from + i * out];
          }
        }
      }
    }
  }

  float[] of(FastWeights.Linear f) {
    float[] p = panels.get(f);
    if (p == null) {
      throw new IllegalArgumentException("no panels for " + f);
    }
    return p;
  }

  long bytes() {
    long floats = 0;
    for (float[] p : panels.values()) {
      floats += p.length;
    }
    return 4 * floats;
  }
}
