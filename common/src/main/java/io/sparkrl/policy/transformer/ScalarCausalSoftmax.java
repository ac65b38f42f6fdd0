package io.sparkrl.policy.transformer;

import java.util.Arrays;

/** {@link CausalSoftmax} a position at a time; also the vector one's rows shorter than a vector. */
final class ScalarCausalSoftmax implements CausalSoftmax {
  /** Below this, e^x is under the smallest normal float: exp(x) is exp(LOWEST), 1.2e-38. */
  static final float LOWEST = -87.33654f;
  static final float LOG2E = 1.44269504088896341f;
  /** ln 2 in two parts, the first with few enough bits that n * LN2_HI is exact for small n. */
  static final float LN2_HI = 0.693359375f;
  static final float LN2_LO = -2.12194440e-4f;
  /** 1.5 * 2^23: adding it rounds a float of magnitude below 2^22 to an integer. */
  static final float ROUNDER = 12582912f;
  /** The bits of {@link #ROUNDER}: subtracted from a rounded float's bits, leave the integer. */
  static final int ROUNDER_BITS = 0x4B400000;
  // Cephes' expf polynomial: e^r = 1 + r + r^2 P(r) on |r| <= ln(2)/2
  static final float P0 = 1.9875691500E-4f;
  static final float P1 = 1.3981999507E-3f;
  static final float P2 = 8.3334519073E-3f;
  static final float P3 = 4.1665795894E-2f;
  static final float P4 = 1.6666665459E-1f;
  static final float P5 = 5.0000001201E-1f;

  /**
   * e^x for x &le; 0 (a softmax's shifted scores): x = n ln 2 + r with n an integer and |r| &le;
   * ln(2)/2, e^r by Cephes' polynomial, times 2^n built from its bits. Relative error about one
   * ulp (1.2e-7 measured against {@code Math.exp}); below {@link #LOWEST} the smallest normal float
   * (negligible beside the largest term's 1); NaN stays NaN.
   */
  static float exp(float x) {
    x = Math.max(x, LOWEST);
    float t = Math.fma(x, LOG2E, ROUNDER);
    float n = t - ROUNDER;
    float r = Math.fma(n, -LN2_HI, x);
    r = Math.fma(n, -LN2_LO, r);
    float p = Math.fma(P0, r, P1);
    p = Math.fma(p, r, P2);
    p = Math.fma(p, r, P3);
    p = Math.fma(p, r, P4);
    p = Math.fma(p, r, P5);
    p = Math.fma(p, r * r, r + 1f);
    return p * Float.intBitsToFloat((Float.floatToRawIntBits(t) - ROUNDER_BITS + 127) << 23);
  }

  @Override
  public void apply(float[] s, int o, int t, int len, float scale) {
    float max = Float.NEGATIVE_INFINITY;
    for (int u = 0; u <= t; u++) {
      max = Math.max(max, s[o + u]);
    }
    for (int u = 0; u <= t; u++) {
      s[o + u] = exp((s[o + u] - max) * scale);
    }
    float inv = (float) (1 / RowMath.sum(s, o, t + 1));
    for (int u = 0; u <= t; u++) {
      s[o + u] *= inv;
    }
    Arrays.fill(s, o + t + 1, o + len, 0f);
  }
}
