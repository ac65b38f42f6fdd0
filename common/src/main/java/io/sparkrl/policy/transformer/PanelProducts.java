package io.sparkrl.policy.transformer;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The sampler's products with the JDK's Vector API over {@link WeightPanels}: for each panel of 16
 * output columns, four rows at a time keep their 4 x 16 sums in eight 8-float registers while the
 * panel streams through once; {@code sum = fma(W[o, i], x[r, i], sum)} for i = 0, 1, ... in order.
 * Where the CPU has 512-bit vectors (AVX-512) eight rows at a time take two panels at once, each
 * row's 32 sums in two 16-float registers, so each broadcast row value feeds two fused
 * multiply-adds ({@link #pair}). No operand is packed per call and nothing is copied to native
 * memory. The attention's two loops of the KV-cached sampler ({@link #scores}, {@link #mix}) run
 * here too, with positions or key dimensions along the lanes.
 *
 * <p>A row's result is the same floats whatever rows it is multiplied with (the tails do the same
 * fused multiply-adds in the same order as the blocks), and on every machine: lanes are output
 * columns, so the vector width only decides how many columns go at once, never the order of a
 * column's operations (a fused multiply-add rounds once by definition). The attention loops do the
 * plain loops' product-then-sum in the same order, so they equal {@link RowProducts}'s defaults.
 *
 * <p>Six rows at a time (twelve sums, 15 of AVX2's 16 registers) was tried and measured slower at
 * every size (small:64 sampling 6.7-6.8 s against 4.5-5.8 s): keep four with 256-bit vectors.
 *
 * <p>Measured on one core of this project's 2-core AMD EPYC (AVX2), 16 rows, weights already in
 * cache: 70-76 GFLOP/s against OpenBLAS sgemm's 29-34 for the shapes of the benchmark's
 * {@code small} transformer (OpenBLAS's packing of the weight dominates at few rows); level with
 * it at 64-256 rows. On an AVX-512 Xeon, 64 rows by a 512 x 1,536 weight: 50 GFLOP/s with 256-bit
 * vectors and 71 with two 512-bit panels when the weights come from memory, 96 with them in cache
 * (OpenBLAS's 1024^3 peak there: 116-124).
 *
 * <p>Needs the JVM started with {@code --add-modules=jdk.incubator.vector} (an incubator module in
 * Java 17) and 256-bit vectors; {@link io.sparkrl.vector.VectorModule} checks both before
 * {@link SamplingProducts} loads this class.
 */
final class PanelProducts implements RowProducts {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
  /** A whole panel run in one register, where the CPU has 512-bit vectors. */
  private static final VectorSpecies<Float> L = FloatVector.SPECIES_512;
  private static final int W = WeightPanels.WIDTH;
  /**
   * Whether this CPU runs 512-bit vectors natively (AVX-512): then eight rows at a time each keep
   * a panel's 16 sums in one register ({@link #eight}), and a panel run is one load instead of
   * two. Each output column's sum is the same chain of fused multiply-adds in the same order on
   * either width, so the products are the same floats on every machine.
   *
   * <p>A JVM runs one float vector width only (all 512-bit or all 256-bit, tails and attention
   * included; AdamW's {@code VectorMomentStep} uses no float vectors): the JIT shares the
   * profile of FloatVector's own methods (intoArray, ...) between widths, and with two widths
   * there it sometimes compiled the stores without the intrinsic, boxing every vector: the
   * sampler ran 17 times slower in about half of the JVMs (measured: 960 against 17,000 tokens/s
   * at the benchmark's tiny shape with groups of 8).
   */
  static final boolean WIDE = FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512;

  private final FastWeights w;
  /** A partial panel's rows (eight at most), stored whole before their columns are copied out. */
  private final float[] edge = new float[8 * W];

  PanelProducts(FastWeights w) {
    this.w = w;
  }

  @Override
  public void linear(FastWeights.Linear[] pieces, int n, float[] x, int ldx, float[] y, int ldy) {
    WeightPanels panels = w.panels();
    for (FastWeights.Linear f : pieces) {
      multiply(x, ldx, n, panels.of(f), f.in(), f.out(), y, ldy, f.column(), edge);
    }
  }

  @Override
  public void head(int n, float[] x, float[] logits) {
    multiply(x, w.d, n, w.panels().of(w.head), w.d, w.vocabulary, logits, w.vocabulary, 0, edge);
  }

  /** The attention loops' vectors: 16 floats with AVX-512, 8 with AVX2. */
  private static final VectorSpecies<Float> A = WIDE ? L : S;
  private static final int LANES = A.length();

  /**
   * {@link RowProducts#scores} with positions along the lanes, four vectors of positions per pass
   * over j, then one pass of three or two where the cache's stride leaves no room for four, then
   * one at a time: independent sums, so the adds' latencies overlap (the sampler's 48 positions
   * on AVX-512 were three lone vectors before, each a chain of head-width dependent adds). The
   * plain loop's operations on each score (a product, then a sum, per j), so the same floats,
   * without the scalar pre- and post-loops the JIT puts around a short loop.
   * Positions from len to the vector's end (within the stride) are computed from whatever the
   * cache holds there and never read.
   */
  @Override
  public void scores(float[] q, int q0, float[] keys, int k0, int stride, int hd, int len,
      float[] scores) {
    int u = 0;
    for (; u + 2 * LANES < len && u + 4 * LANES <= stride; u += 4 * LANES) {
      FloatVector s0 = FloatVector.zero(A);
      FloatVector s1 = FloatVector.zero(A);
      FloatVector s2 = FloatVector.zero(A);
      FloatVector s3 = FloatVector.zero(A);
      for (int j = 0; j < hd; j++) {
        FloatVector qj = FloatVector.broadcast(A, q[q0 + j]);
        int key = k0 + j * stride + u;
        s0 = s0.add(qj.mul(FloatVector.fromArray(A, keys, key)));
        s1 = s1.add(qj.mul(FloatVector.fromArray(A, keys, key + LANES)));
        s2 = s2.add(qj.mul(FloatVector.fromArray(A, keys, key + 2 * LANES)));
        s3 = s3.add(qj.mul(FloatVector.fromArray(A, keys, key + 3 * LANES)));
      }
      s0.intoArray(scores, u);
      s1.intoArray(scores, u + LANES);
      s2.intoArray(scores, u + 2 * LANES);
      s3.intoArray(scores, u + 3 * LANES);
    }
    if (u + 2 * LANES < len && u + 3 * LANES <= stride) {
      FloatVector s0 = FloatVector.zero(A);
      FloatVector s1 = FloatVector.zero(A);
      FloatVector s2 = FloatVector.zero(A);
      for (int j = 0; j < hd; j++) {
        FloatVector qj = FloatVector.broadcast(A, q[q0 + j]);
        int key = k0 + j * stride + u;
        s0 = s0.add(qj.mul(FloatVector.fromArray(A, keys, key)));
        s1 = s1.add(qj.mul(FloatVector.fromArray(A, keys, key + LANES)));
        s2 = s2.add(qj.mul(FloatVector.fromArray(A, keys, key + 2 * LANES)));
      }
      s0.intoArray(scores, u);
      s1.intoArray(scores, u + LANES);
      s2.intoArray(scores, u + 2 * LANES);
      u += 3 * LANES;
    }
    if (u + LANES < len && u + 2 * LANES <= stride) {
      FloatVector s0 = FloatVector.zero(A);
      FloatVector s1 = FloatVector.zero(A);
      for (int j = 0; j < hd; j++) {
        FloatVector qj = FloatVector.broadcast(A, q[q0 + j]);
        int key = k0 + j * stride + u;
        s0 = s0.add(qj.mul(FloatVector.fromArray(A, keys, key)));
        s1 = s1.add(qj.mul(FloatVector.fromArray(A, keys, key + LANES)));
      }
      s0.intoArray(scores, u);
      s1.intoArray(scores, u + LANES);
      u += 2 * LANES;
    }
    for (; u < len && u + LANES <= stride; u += LANES) {
      FloatVector s0 = FloatVector.zero(A);
      for (int j = 0; j < hd; j++) {
        s0 = s0.add(FloatVector.broadcast(A, q[q0 + j])
            .mul(FloatVector.fromArray(A, keys, k0 + j * stride + u)));
      }
      s0.intoArray(scores, u);
    }
    for (; u < len; u++) {
      float s0 = 0f;
      for (int j = 0; j < hd; j++) {
        s0 += q[q0 + j] * keys[k0 + j * stride + u];
      }
      scores[u] = s0;
    }
  }

  /**
   * {@link RowProducts#mix} with key dimensions along the lanes, four vectors per pass over the
   * positions, then two, then one at a time (a head width of 32 is two 512-bit vectors: two
   * independent chains of adds instead of one after the other): the plain loop's operations, so
   * the same floats.
   */
  @Override
  public void mix(float[] p, int len, float[] values, int v0, int hd, float[] out, int o) {
    int j = 0;
    for (; j + 4 * LANES <= hd; j += 4 * LANES) {
      FloatVector s0 = FloatVector.zero(A);
      FloatVector s1 = FloatVector.zero(A);
      FloatVector s2 = FloatVector.zero(A);
      FloatVector s3 = FloatVector.zero(A);
      for (int u = 0; u < len; u++) {
        FloatVector pu = FloatVector.broadcast(A, p[u]);
        int value = v0 + u * hd + j;
        s0 = s0.add(pu.mul(FloatVector.fromArray(A, values, value)));
        s1 = s1.add(pu.mul(FloatVector.fromArray(A, values, value + LANES)));
        s2 = s2.add(pu.mul(FloatVector.fromArray(A, values, value + 2 * LANES)));
        s3 = s3.add(pu.mul(FloatVector.fromArray(A, values, value + 3 * LANES)));
      }
      s0.intoArray(out, o + j);
      s1.intoArray(out, o + j + LANES);
      s2.intoArray(out, o + j + 2 * LANES);
      s3.intoArray(out, o + j + 3 * LANES);
    }
    if (j + 2 * LANES <= hd) {
      FloatVector s0 = FloatVector.zero(A);
      FloatVector s1 = FloatVector.zero(A);
      for (int u = 0; u < len; u++) {
        FloatVector pu = FloatVector.broadcast(A, p[u]);
        int value = v0 + u * hd + j;
        s0 = s0.add(pu.mul(FloatVector.fromArray(A, values, value)));
        s1 = s1.add(pu.mul(FloatVector.fromArray(A, values, value + LANES)));
      }
      s0.intoArray(out, o + j);
      s1.intoArray(out, o + j + LANES);
      j += 2 * LANES;
    }
    for (; j + LANES <= hd; j += LANES) {
      FloatVector s0 = FloatVector.zero(A);
      for (int u = 0; u < len; u++) {
        s0 = s0.add(FloatVector.broadcast(A, p[u])
            .mul(FloatVector.fromArray(A, values, v0 + u * hd + j)));
      }
      s0.intoArray(out, o + j);
    }
    for (; j < hd; j++) {
      float s0 = 0f;
      for (int u = 0; u < len; u++) {
        s0 += p[u] * values[v0 + u * hd + j];
      }
      out[o + j] = s0;
    }
  }

  @Override
  public long bytes() {
    return 4L * edge.length;
  }

  /**
   * y[r * ldy + column + o] = sum_i x[r * ldx + i] * W[o, i] for r < n, o < out; W as panels of
   * {@code in} runs of 16.
   */
  static void multiply(float[] x, int ldx, int n, float[] panels, int in, int out, float[] y,
      int ldy, int column, float[] edge) {
    multiply(x, ldx, n, panels, in, out, y, ldy, column, edge, WIDE);
  }

  /**
   * {@link #multiply} with 512-bit vectors ({@code wide}: eight rows at a time, {@code edge} of at
   * least 128 floats) or 256-bit ones (four rows, 64 floats): the same floats either way (tests
   * run both; without AVX-512 the JDK emulates the wide vectors, slowly).
   */
  static void multiply(float[] x, int ldx, int n, float[] panels, int in, int out, float[] y,
      int ldy, int column, float[] edge, boolean wide) {
    int first = 0;
    if (wide) {
      // two full panels at a time: each broadcast row value feeds two fused multiply-adds
      int full = out / W;
      for (; first + 2 <= full; first += 2) {
        int base = first * in * W;
        int o = column + first * W;
        int r = 0;
        for (; r + ROWS <= n; r += ROWS) {
          pair(x, r * ldx, ldx, panels, base, base + in * W, in, y, r * ldy + o, ldy);
        }
        for (int p = first; p < first + 2; p++) {
          for (int q = r; q < n; q++) {
            oneWide(x, q * ldx, panels, p * in * W, in, y, q * ldy + column + p * W);
          }
        }
      }
    }
    for (int p = first; p < WeightPanels.panels(out); p++) {
      int base = p * in * W;
      int columns = Math.min(W, out - p * W);
      int o = column + p * W;
      int r = 0;
      for (; wide && r + 8 <= n; r += 8) {
        if (columns == W) {
          eight(x, r * ldx, ldx, panels, base, in, y, r * ldy + o, ldy);
        } else {
          eight(x, r * ldx, ldx, panels, base, in, edge, 0, W);
          for (int k = 0; k < 8; k++) {
            System.arraycopy(edge, k * W, y, (r + k) * ldy + o, columns);
          }
        }
      }
      for (; !wide && r + 4 <= n; r += 4) {
        if (columns == W) {
          four(x, r * ldx, ldx, panels, base, in, y, r * ldy + o, ldy);
        } else {
          four(x, r * ldx, ldx, panels, base, in, edge, 0, W);
          for (int k = 0; k < 4; k++) {
            System.arraycopy(edge, k * W, y, (r + k) * ldy + o, columns);
          }
        }
      }
      for (; r < n; r++) {
        float[] to = columns == W ? y : edge;
        int at = columns == W ? r * ldy + o : 0;
        if (wide) {
          oneWide(x, r * ldx, panels, base, in, to, at);
        } else {
          one(x, r * ldx, panels, base, in, to, at);
        }
        if (columns < W) {
          System.arraycopy(edge, 0, y, r * ldy + o, columns);
        }
      }
    }
  }

  /** Rows at a time of {@link #pair}. */
  private static final int ROWS = 8;

  /**
   * Rows x0, x0 + ldx, ... (eight) times two panels (at b0 and b1, the second's columns 16 to the
   * right of the first's) with 512-bit vectors: sixteen sums in registers, each row's value
   * broadcast once for both panels.
   */
  private static void pair(float[] x, int x0, int ldx, float[] panels, int b0, int b1, int in,
      float[] y, int y0, int ldy) {
    FloatVector c00 = FloatVector.zero(L);
    FloatVector c01 = FloatVector.zero(L);
    FloatVector c10 = FloatVector.zero(L);
    FloatVector c11 = FloatVector.zero(L);
    FloatVector c20 = FloatVector.zero(L);
    FloatVector c21 = FloatVector.zero(L);
    FloatVector c30 = FloatVector.zero(L);
    FloatVector c31 = FloatVector.zero(L);
    FloatVector c40 = FloatVector.zero(L);
    FloatVector c41 = FloatVector.zero(L);
    FloatVector c50 = FloatVector.zero(L);
    FloatVector c51 = FloatVector.zero(L);
    FloatVector c60 = FloatVector.zero(L);
    FloatVector c61 = FloatVector.zero(L);
    FloatVector c70 = FloatVector.zero(L);
    FloatVector c71 = FloatVector.zero(L);
    int x1 = x0 + ldx;
    int x2 = x1 + ldx;
    int x3 = x2 + ldx;
    int x4 = x3 + ldx;
    int x5 = x4 + ldx;
    int x6 = x5 + ldx;
    int x7 = x6 + ldx;
    for (int i = 0; i < in; i++) {
      FloatVector p0 = FloatVector.fromArray(L, panels, b0 + i * W);
      FloatVector p1 = FloatVector.fromArray(L, panels, b1 + i * W);
      FloatVector a = FloatVector.broadcast(L, x[x0 + i]);
      c00 = p0.fma(a, c00);
      c01 = p1.fma(a, c01);
      a = FloatVector.broadcast(L, x[x1 + i]);
      c10 = p0.fma(a, c10);
      c11 = p1.fma(a, c11);
      a = FloatVector.broadcast(L, x[x2 + i]);
      c20 = p0.fma(a, c20);
      c21 = p1.fma(a, c21);
      a = FloatVector.broadcast(L, x[x3 + i]);
      c30 = p0.fma(a, c30);
      c31 = p1.fma(a, c31);
      a = FloatVector.broadcast(L, x[x4 + i]);
      c40 = p0.fma(a, c40);
      c41 = p1.fma(a, c41);
      a = FloatVector.broadcast(L, x[x5 + i]);
      c50 = p0.fma(a, c50);
      c51 = p1.fma(a, c51);
      a = FloatVector.broadcast(L, x[x6 + i]);
      c60 = p0.fma(a, c60);
      c61 = p1.fma(a, c61);
      a = FloatVector.broadcast(L, x[x7 + i]);
      c70 = p0.fma(a, c70);
      c71 = p1.fma(a, c71);
    }
    c00.intoArray(y, y0);
    c01.intoArray(y, y0 + W);
    c10.intoArray(y, y0 + ldy);
    c11.intoArray(y, y0 + ldy + W);
    c20.intoArray(y, y0 + 2 * ldy);
    c21.intoArray(y, y0 + 2 * ldy + W);
    c30.intoArray(y, y0 + 3 * ldy);
    c31.intoArray(y, y0 + 3 * ldy + W);
    c40.intoArray(y, y0 + 4 * ldy);
    c41.intoArray(y, y0 + 4 * ldy + W);
    c50.intoArray(y, y0 + 5 * ldy);
    c51.intoArray(y, y0 + 5 * ldy + W);
    c60.intoArray(y, y0 + 6 * ldy);
    c61.intoArray(y, y0 + 6 * ldy + W);
    c70.intoArray(y, y0 + 7 * ldy);
    c71.intoArray(y, y0 + 7 * ldy + W);
  }

  /** Rows x0, x0 + ldx, ... (eight) times one panel with 512-bit vectors, into y at y0, ... */
  private static void eight(float[] x, int x0, int ldx, float[] panels, int base, int in,
      float[] y, int y0, int ldy) {
    FloatVector c0 = FloatVector.zero(L);
    FloatVector c1 = FloatVector.zero(L);
    FloatVector c2 = FloatVector.zero(L);
    FloatVector c3 = FloatVector.zero(L);
    FloatVector c4 = FloatVector.zero(L);
    FloatVector c5 = FloatVector.zero(L);
    FloatVector c6 = FloatVector.zero(L);
    FloatVector c7 = FloatVector.zero(L);
    int x1 = x0 + ldx;
    int x2 = x1 + ldx;
    int x3 = x2 + ldx;
    int x4 = x3 + ldx;
    int x5 = x4 + ldx;
    int x6 = x5 + ldx;
    int x7 = x6 + ldx;
    for (int i = 0; i < in; i++) {
      FloatVector b = FloatVector.fromArray(L, panels, base + i * W);
      c0 = b.fma(FloatVector.broadcast(L, x[x0 + i]), c0);
      c1 = b.fma(FloatVector.broadcast(L, x[x1 + i]), c1);
      c2 = b.fma(FloatVector.broadcast(L, x[x2 + i]), c2);
      c3 = b.fma(FloatVector.broadcast(L, x[x3 + i]), c3);
      c4 = b.fma(FloatVector.broadcast(L, x[x4 + i]), c4);
      c5 = b.fma(FloatVector.broadcast(L, x[x5 + i]), c5);
      c6 = b.fma(FloatVector.broadcast(L, x[x6 + i]), c6);
      c7 = b.fma(FloatVector.broadcast(L, x[x7 + i]), c7);
    }
    c0.intoArray(y, y0);
    c1.intoArray(y, y0 + ldy);
    c2.intoArray(y, y0 + 2 * ldy);
    c3.intoArray(y, y0 + 3 * ldy);
    c4.intoArray(y, y0 + 4 * ldy);
    c5.intoArray(y, y0 + 5 * ldy);
    c6.intoArray(y, y0 + 6 * ldy);
    c7.intoArray(y, y0 + 7 * ldy);
  }

  /** Rows x0, x0 + ldx, ... (four) times one panel, into y at y0, y0 + ldy, ... */
  private static void four(float[] x, int x0, int ldx, float[] panels, int base, int in,
      float[] y, int y0, int ldy) {
    FloatVector c00 = FloatVector.zero(S);
    FloatVector c01 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S);
    FloatVector c11 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S);
    FloatVector c21 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S);
    FloatVector c31 = FloatVector.zero(S);
    int x1 = x0 + ldx;
    int x2 = x1 + ldx;
    int x3 = x2 + ldx;
    for (int i = 0; i < in; i++) {
      int b = base + i * W;
      FloatVector b0 = FloatVector.fromArray(S, panels, b);
      FloatVector b1 = FloatVector.fromArray(S, panels, b + 8);
      FloatVector a = FloatVector.broadcast(S, x[x0 + i]);
      c00 = b0.fma(a, c00);
      c01 = b1.fma(a, c01);
      a = FloatVector.broadcast(S, x[x1 + i]);
      c10 = b0.fma(a, c10);
      c11 = b1.fma(a, c11);
      a = FloatVector.broadcast(S, x[x2 + i]);
      c20 = b0.fma(a, c20);
      c21 = b1.fma(a, c21);
      a = FloatVector.broadcast(S, x[x3 + i]);
      c30 = b0.fma(a, c30);
      c31 = b1.fma(a, c31);
    }
    c00.intoArray(y, y0);
    c01.intoArray(y, y0 + 8);
    c10.intoArray(y, y0 + ldy);
    c11.intoArray(y, y0 + ldy + 8);
    c20.intoArray(y, y0 + 2 * ldy);
    c21.intoArray(y, y0 + 2 * ldy + 8);
    c30.intoArray(y, y0 + 3 * ldy);
    c31.intoArray(y, y0 + 3 * ldy + 8);
  }

  /** One row times one panel in one 512-bit vector: each row of {@link #eight}'s operations. */
  private static void oneWide(float[] x, int x0, float[] panels, int base, int in, float[] y,
      int y0) {
    FloatVector c = FloatVector.zero(L);
    for (int i = 0; i < in; i++) {
      c = FloatVector.fromArray(L, panels, base + i * W).fma(FloatVector.broadcast(L, x[x0 + i]),
          c);
    }
    c.intoArray(y, y0);
  }

  /** One row times one panel: the same operations, in the same order, as each row of four. */
  private static void one(float[] x, int x0, float[] panels, int base, int in, float[] y,
      int y0) {
    FloatVector c0 = FloatVector.zero(S);
    FloatVector c1 = FloatVector.zero(S);
    for (int i = 0; i < in; i++) {
      int b = base + i * W;
      FloatVector a = FloatVector.broadcast(S, x[x0 + i]);
      c0 = FloatVector.fromArray(S, panels, b).fma(a, c0);
      c1 = FloatVector.fromArray(S, panels, b + 8).fma(a, c1);
    }
    c0.intoArray(y, y0);
    c1.intoArray(y, y0 + 8);
  }
}
