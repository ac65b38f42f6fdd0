package io.sparkrl.policy.transformer;

import io.sparkrl.gradient.NativeFloats;

/**
 * The sampler's products as OpenBLAS sgemm over the native copy of the parameters: the rows are
 * copied to a native buffer, multiplied, and the result copied back; the head through
 * {@link FastWeights#headByColumns()}. Any JVM runs it. A row's result depends, by rounding, on how
 * many rows the product has (OpenBLAS blocks by row count).
 */
final class BlasProducts implements RowProducts {
  private final FastWeights w;
  private final FastWorkspace ws;

  BlasProducts(FastWeights w, FastWorkspace ws) {
    this.w = w;
    this.ws = ws;
  }

  @Override
  public void linear(FastWeights.Linear[] pieces, int n, float[] x, int ldx, float[] y, int ldy) {
    NativeFloats in = ws.nat("in", n * ldx);
    NativeFloats out = ws.nat("out", n * ldy);
    in.put(0, x, 0, n * ldx);
    for (FastWeights.Linear f : pieces) {
      f.forward(n, w.params, in, 0, ldx, out, ldy);
    }
    out.get(0, y, 0, n * ldy);
  }

  @Override
  public void head(int n, float[] x, float[] logits) {
    int d = w.d;
    int v = w.vocabulary;
    NativeFloats in = ws.nat("in", n * d);
    NativeFloats z = ws.nat("z", n * v);
    in.put(0, x, 0, n * d);
    NativeFloats.gemm(false, false, n, v, d, 1f, in, 0, d, w.headByColumns(), 0, v, 0f, z, 0, v);
    z.get(0, logits, 0, n * v);
  }

  @Override
  public long bytes() {
    return ws.bytes();
  }
}
