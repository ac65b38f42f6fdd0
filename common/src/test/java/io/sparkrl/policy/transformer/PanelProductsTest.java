package io.sparkrl.policy.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The sampler's vector products ({@link PanelProducts} over {@link WeightPanels}) against sums in
 * double precision, for both weight storages, partial panels, row tails, leading dimensions and
 * column offsets; a row's result the same floats alone and among others; panels repacked after
 * each load; and both products' logits through the kernel agreeing.
 */
class PanelProductsTest {
  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void productsEqualDoublePrecisionSumsAndWriteOnlyTheirColumns(boolean outIn) {
    SplittableRandom random = new SplittableRandom(outIn ? 3 : 4);
    for (int[] shape : new int[][] {{1, 1, 1}, {3, 5, 17}, {9, 33, 16}, {7, 40, 64}, {4, 16, 3}}) {
      int n = shape[0];
      int out = shape[1];
      int in = shape[2];
      int weight = 5; // the weight sits at an offset of the flat vector
      float[] values = uniform(random, weight + out * in + 3);
      FastWeights.Linear f = new FastWeights.Linear(weight, out, in, -1, outIn, 2);
      float[] panels = new float[WeightPanels.size(f)];
      WeightPanels.pack(f, values, panels);
      int ldx = in + 3;
      int ldy = out + 5; // columns 2 .. out+2 written, the rest untouched
      float[] x = uniform(random, n * ldx);
      float[] y = new float[n * ldy];
      java.util.Arrays.fill(y, 42f);
      PanelProducts.multiply(x, ldx, n, panels, in, out, y, ldy, 2, new float[128]);
      for (int r = 0; r < n; r++) {
        for (int c = 0; c < ldy; c++) {
          String where = "n " + n + " out " + out + " in " + in + ": row " + r + ", column " + c;
          if (c < 2 || c >= out + 2) {
            assertEquals(42f, y[r * ldy + c], where + " should be untouched");
            continue;
          }
          int o = c - 2;
          double sum = 0;
          for (int i = 0; i < in; i++) {
            float wv = outIn ? values[weight + o * in + i] : values[weight + i * out + o];
            sum += (double) x[r * ldx + i] * wv;
          }
          assertEquals(sum, y[r * ldy + c], 1e-5 * (1 + in), where);
        }
      }
    }
  }

  @Test
  void aRowsResultIsTheSameFloatsAloneAndAmongOthers() {
    SplittableRandom random = new SplittableRandom(9);
    int out = 37;
    int in = 29;
    float[] values = uniform(random, out * in);
    FastWeights.Linear f = new FastWeights.Linear(0, out, in, -1, true, 0);
    float[] panels = new float[WeightPanels.size(f)];
    WeightPanels.pack(f, values, panels);
    int n = 11; // two blocks of four rows and a tail of three
    float[] x = uniform(random, n * in);
    float[] all = new float[n * out];
    PanelProducts.multiply(x, in, n, panels, in, out, all, out, 0, new float[128]);
    for (int r = 0; r < n; r++) {
      float[] alone = new float[out];
      PanelProducts.multiply(java.util.Arrays.copyOfRange(x, r * in, (r + 1) * in), in, 1, panels,
          in, out, alone, out, 0, new float[128]);
      assertArrayEquals(alone, java.util.Arrays.copyOfRange(all, r * out, (r + 1) * out),
          "row " + r);
    }
  }

  @Test
  void wideAndNarrowVectorsGiveTheSameFloats() {
    // 512-bit vectors (eight rows, two panels at a time) against 256-bit ones (four rows, one
    // panel): each output's chain of fused multiply-adds is the same, so the same bits; shapes
    // with pairs of full panels, a lone full panel, a partial one, and row tails of each block
    SplittableRandom random = new SplittableRandom(12);
    for (int[] shape : new int[][] {{8, 32, 5}, {19, 80, 33}, {64, 48, 16}, {3, 70, 7},
        {27, 96, 128}}) {
      int n = shape[0];
      int out = shape[1];
      int in = shape[2];
      float[] values = uniform(random, out * in);
      FastWeights.Linear f = new FastWeights.Linear(0, out, in, -1, true, 0);
      float[] panels = new float[WeightPanels.size(f)];
      WeightPanels.pack(f, values, panels);
      int ldx = in + 1;
      float[] x = uniform(random, n * ldx);
      int ldy = out + 3;
      float[] wide = new float[n * ldy];
      float[] narrow = new float[n * ldy];
      PanelProducts.multiply(x, ldx, n, panels, in, out, wide, ldy, 1, new float[128], true);
      PanelProducts.multiply(x, ldx, n, panels, in, out, narrow, ldy, 1, new float[128], false);
      assertArrayEquals(narrow, wide, "n " + n + " out " + out + " in " + in);
      double moved = 0;
      for (float value : wide) {
        moved = Math.max(moved, Math.abs(value));
      }
      assertTrue(moved > 0.1, "the products should not be zeros: " + moved);
    }
  }

  @Test
  void vectorAttentionLoopsGiveThePlainLoopsFloats() {
    // scores and context mixing: every head width and length against the interface's plain loops,
    // bit for bit, including lengths that end inside a vector and caches with no room past them
    SplittableRandom random = new SplittableRandom(13);
    TransformerShape shape = TinyTransformers.llamaGqaBiasUntied();
    RowProducts vector = SamplingProducts.VECTOR_PANELS.create(
        new FastWeights(shape, TransformerKernelTest.theta(shape)), null);
    RowProducts plain = new RowProducts() {
      @Override
      public void linear(FastWeights.Linear[] pieces, int n, float[] x, int ldx, float[] y,
          int ldy) {
        throw new UnsupportedOperationException();
      }

      @Override
      public void head(int n, float[] x, float[] logits) {
        throw new UnsupportedOperationException();
      }

      @Override
      public long bytes() {
        return 0;
      }
    };
    for (int hd : new int[] {2, 8, 16, 24, 32, 64, 80, 128}) {
      for (int cap : new int[] {1, 7, 16, 48, 100}) {
        for (int len = 1; len <= cap; len += Math.max(1, cap / 9)) {
          int offset = 3;
          // a row's cache as the kernel lays it out: keys (dimension, position), values
          // (position, dimension), with something before and after the head's block
          float[] keys = uniform(random, (offset + hd + 1) * cap);
          float[] values = uniform(random, (offset + cap + 1) * hd);
          float[] q = uniform(random, 5 + hd);
          String where = "hd " + hd + " capacity " + cap + " length " + len;
          float[] expected = new float[cap + 16];
          float[] actual = new float[cap + 16];
          plain.scores(q, 5, keys, offset * cap, cap, hd, len, expected);
          vector.scores(q, 5, keys, offset * cap, cap, hd, len, actual);
          assertArrayEquals(java.util.Arrays.copyOf(expected, len),
              java.util.Arrays.copyOf(actual, len), "scores, " + where);
          float[] around = uniform(random, offset + hd + 2);
          float[] sumPlain = around.clone();
          float[] sumVector = around.clone();
          plain.mix(expected, len, values, offset * hd, hd, sumPlain, offset);
          vector.mix(expected, len, values, offset * hd, hd, sumVector, offset);
          assertArrayEquals(sumPlain, sumVector, "context, " + where);
          for (int i : new int[] {0, offset - 1, offset + hd, offset + hd + 1}) {
            assertEquals(around[i], sumVector[i], "context written outside its head, " + where);
          }
        }
      }
    }
  }

  @Test
  void panelsFollowEachLoadAndTheKernelsProductsAgree() {
    TransformerShape shape = TinyTransformers.llamaGqaBiasUntied();
    float[] first = TransformerKernelTest.theta(shape);
    float[] second = TinyTransformers.floats(TinyTransformers.parameters(shape, 77, 0.5));
    FastWeights shared = new FastWeights(shape, first);
    TransformerKernel panels = new TransformerKernel(shared, 2, SamplingProducts.VECTOR_PANELS);
    int v = shape.vocabularySize();
    int[] prompt = {1, 4, 3, 0};
    float[] before = new float[v];
    panels.prefill(List.of(prompt), before);
    shared.load(second);
    float[] after = new float[v];
    panels.prefill(List.of(prompt), after);
    float[] blas = new float[v];
    TransformerKernel.of(shape, second, 2, SamplingProducts.OPENBLAS).prefill(List.of(prompt),
        blas);
    float[] fresh = new float[v];
    TransformerKernel.of(shape, second, 2, SamplingProducts.VECTOR_PANELS)
        .prefill(List.of(prompt), fresh);
    double moved = 0;
    for (int j = 0; j < v; j++) {
      moved = Math.max(moved, Math.abs(after[j] - before[j]));
      assertEquals(blas[j], after[j], 1e-5, "logit " + j + " against OpenBLAS");
    }
    assertTrue(moved > 1e-3, "the load should change the logits: " + moved);
    assertArrayEquals(fresh, after, "repacked panels against panels packed from scratch");
    assertEquals(4L * WeightPanels.size(shared.head), shared.panels().bytes()
        - bytesOfLayers(shared));
    assertEquals(shared.panels().bytes(), WeightPanels.bytes(shared));
    assertEquals(shared.panels().bytes(), shared.samplerBytes(SamplingProducts.VECTOR_PANELS));
  }

  private static long bytesOfLayers(FastWeights w) {
    long floats = 0;
    for (FastWeights.Linear f : new java.util.LinkedHashSet<>(w.linears())) {
      if (f != w.head) {
        floats += WeightPanels.size(f);
      }
    }
    return 4 * floats;
  }

  /** n floats uniform in [-1, 1). */
  private static float[] uniform(SplittableRandom random, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (random.nextDouble() * 2 - 1);
    }
    return a;
  }
}
