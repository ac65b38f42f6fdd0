package io.sparkrl.policy.transformer;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The sampler's products with the JDK's Vector API over {@link WeightPanels}: for each panel of 16
 * output columns, four rows at a time keep their 4 x 16 sums in eight 8-float registers while the
 * panel streams through once; {@code sum = fma(W[o, i], x[r, i], sum)} for i = 0, 1, ... in order.
 * No operand is packed per call and nothing is copied to native memory.
 *
 * <p>A row's result is the same floats whatever rows it is multiplied with (the one-row tail does
 * the same fused multiply-adds in the same order as the four-row block), and on every machine
 * (8-float vectors everywhere; a fused multiply-add rounds once by definition).
 *
 * <p>Six rows at a time (twelve sums, 15 of AVX2's 16 registers) was tried and measured slower at
 * every size (small:64 sampling 6.7-6.8 s against 4.5-5.8 s): keep four.
 *
 * <p>Measured on one core of this project's 2-core AMD EPYC (AVX2), 16 rows, weights already in
 * cache: 70-76 GFLOP/s against OpenBLAS sgemm's 29-34 for the shapes of the benchmark's
 * {@code small} transformer (OpenBLAS's packing of the weight dominates at few rows); level with
 * it at 64-256 rows.
 *
 * <p>Needs the JVM started with {@code --add-modules=jdk.incubator.vector} (an incubator module in
 * Java 17) and 256-bit vectors; {@link io.sparkrl.vector.VectorModule} checks both before
 * {@link SamplingProducts} loads this class.
 */
final class PanelProducts implements RowProducts {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
  private static final int W = WeightPanels.WIDTH;

  private final FastWeights w;
  /** A partial panel's four rows, stored whole before their columns are copied out. */
  private final float[] edge = new float[4 * W];

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
    for (int p = 0; p < WeightPanels.panels(out); p++) {
      int base = p * in * W;
      int columns = Math.min(W, out - p * W);
      int o = column + p * W;
      int r = 0;
      for (; r + 4 <= n; r += 4) {
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
        if (columns == W) {
          one(x, r * ldx, panels, base, in, y, r * ldy + o);
        } else {
          one(x, r * ldx, panels, base, in, edge, 0);
          System.arraycopy(edge, 0, y, r * ldy + o, columns);
        }
      }
    }
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
