package io.sparkrl.policy.transformer;

import io.sparkrl.policy.lstm.LstmKernel;

/**
 * The element-wise and per-row maths of the CPU fast path, in float on Java arrays (rows of d
 * floats, row-major): RMSNorm / LayerNorm and their backward passes, rotate-half RoPE and its
 * transpose, SiLU and tanh-GELU with derivatives. Reductions (a row's mean, a norm weight's
 * gradient, a dot product) accumulate in double, a row's in four partial sums ({@link #sum}). The
 * same formulas as {@link Kernels}, which the ND4J path runs.
 *
 * <p>tanh (and the sigmoid built on it) is {@link LstmKernel#tanh}: plain multiplies and adds
 * (absolute error below 4e-7), which C2 vectorises, where {@code Math.exp}/{@code Math.tanh}
 * would be a call per element.
 */
final class RowMath {
  private static final float GELU_C = (float) Math.sqrt(2 / Math.PI);
  private static final float GELU_A = 0.044715f;

  private RowMath() {}

  /**
   * Normalises rows [0, n) of x (width d): {@code out = xhat * w (+ b)}, xhat = x / rms (RMSNorm,
   * {@code bias < 0}) or (x - mean) / std (LayerNorm). Saves xhat (when not null) and the inverse
   * scale per row. Weights are read from {@code p} at offsets w and bias.
   */
  static void norm(float[] x, int n, int d, float[] p, int w, int bias, double eps, float[] out,
      float[] xhat, float[] inverse) {
    for (int r = 0; r < n; r++) {
      int o = r * d;
      float m = bias >= 0 ? (float) (sum(x, o, d) / d) : 0f;
      float inv = (float) (1 / Math.sqrt(squares(x, o, d, m) / d + eps));
      inverse[r] = inv;
      for (int j = 0; j < d; j++) {
        float h = (x[o + j] - m) * inv;
        if (xhat != null) {
          xhat[o + j] = h;
        }
        out[o + j] = bias >= 0 ? h * p[w + j] + p[bias + j] : h * p[w + j];
      }
    }
  }

  /*
   * The reductions of a row below keep four partial sums in double (elements j, j + 4, ... in
   * the k-th), added together at the end: one running double sum is a chain of dependent adds,
   * about four cycles an element, which made the norms a few percent of tiny's step. Fixed by d
   * alone, so the same floats on every machine and in every batch.
   */

  /** x[o] + ... + x[o + d - 1] in double (four partial sums). */
  static double sum(float[] x, int o, int d) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int j = 0;
    for (; j + 4 <= d; j += 4) {
      s0 += x[o + j];
      s1 += x[o + j + 1];
      s2 += x[o + j + 2];
      s3 += x[o + j + 3];
    }
    for (; j < d; j++) {
      s0 += x[o + j];
    }
    return (s0 + s1) + (s2 + s3);
  }

  /** The sum of (x[o + j] - m)^2 over j &lt; d, each square in float, summed in double. */
  static double squares(float[] x, int o, int d, float m) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int j = 0;
    for (; j + 4 <= d; j += 4) {
      float c0 = x[o + j] - m;
      float c1 = x[o + j + 1] - m;
      float c2 = x[o + j + 2] - m;
      float c3 = x[o + j + 3] - m;
      s0 += c0 * c0;
      s1 += c1 * c1;
      s2 += c2 * c2;
      s3 += c3 * c3;
    }
    for (; j < d; j++) {
      float c = x[o + j] - m;
      s0 += c * c;
    }
    return (s0 + s1) + (s2 + s3);
  }

  /**
   * The backward pass of {@link #norm}: adds dL/dx to {@code dx} and dL/dw (and dL/db when
   * {@code bias}) to the gradient at gw (gb), given dL/dout {@code dy}.
   */
  static void normBackward(float[] dy, float[] xhat, float[] inverse, int n, int d, float[] p,
      int w, boolean bias, float[] dx, double[] gradient, int gw, int gb) {
    double[] gW = new double[d];
    double[] gB = bias ? new double[d] : null;
    float[] u = new float[d];
    for (int r = 0; r < n; r++) {
      int o = r * d;
      for (int j = 0; j < d; j++) {
        u[j] = dy[o + j] * p[w + j];
        gW[j] += dy[o + j] * xhat[o + j];
      }
      if (bias) {
        for (int j = 0; j < d; j++) {
          gB[j] += dy[o + j];
        }
      }
      float um = bias ? (float) (sum(u, 0, d) / d) : 0f;
      float uxm = (float) (dot(u, 0, xhat, o, d) / d);
      float inv = inverse[r];
      for (int j = 0; j < d; j++) {
        dx[o + j] += (u[j] - um - xhat[o + j] * uxm) * inv;
      }
    }
    for (int j = 0; j < d; j++) {
      gradient[gw + j] += gW[j];
      if (bias) {
        gradient[gb + j] += gB[j];
      }
    }
  }

  /** The sum of a[i + j] * b[k + j] over j &lt; d, each product in float, summed in double. */
  static double dot(float[] a, int i, float[] b, int k, int d) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int j = 0;
    for (; j + 4 <= d; j += 4) {
      s0 += a[i + j] * b[k + j];
      s1 += a[i + j + 1] * b[k + j + 1];
      s2 += a[i + j + 2] * b[k + j + 2];
      s3 += a[i + j + 3] * b[k + j + 3];
    }
    for (; j < d; j++) {
      s0 += a[i + j] * b[k + j];
    }
    return (s0 + s1) + (s2 + s3);
  }

  /**
   * Rotates, in place, {@code heads} heads of width hd starting at column {@code column} of row
   * {@code row} (leading dimension ld), for absolute position {@code position}: Hugging Face's
   * rotate-half layout, {@code x' = x cos + rotate_half(x) sin}. {@code transpose} applies the
   * transposed map (the backward pass: {@code g cos - rotate_half(g sin)}).
   */
  static void rope(float[] x, int row, int ld, int column, int heads, int hd, int position,
      float[] cos, float[] sin, boolean transpose) {
    int half = hd / 2;
    int table = position * half;
    float sign = transpose ? -1f : 1f;
    for (int h = 0; h < heads; h++) {
      int o = row * ld + column + h * hd;
      for (int j = 0; j < half; j++) {
        float c = cos[table + j];
        float s = sign * sin[table + j];
        float a = x[o + j];
        float b = x[o + half + j];
        x[o + j] = a * c - b * s;
        x[o + half + j] = b * c + a * s;
      }
    }
  }

  static float sigmoid(float v) {
    return 0.5f + 0.5f * LstmKernel.tanh(0.5f * v);
  }

  /**
   * hidden[i] = silu(gate[i]) * up[i] for rows of [gate | up] (width 2I) into rows of width I.
   *
   * <p>Each row's operands are copied to arrays of their own first: C2 (JDK 17) vectorises a loop
   * only when every array it indexes is indexed with the same loop-invariant offset, and gate, up
   * and hidden sit at three different offsets (measured: 8x slower element-wise maths otherwise).
   * The copies change no float: the same operations run in the same order per element.
   */
  static void swiglu(float[] gateUp, int n, int inner, float[] hidden) {
    float[] gate = new float[inner];
    float[] up = new float[inner];
    float[] h = new float[inner];
    for (int r = 0; r < n; r++) {
      System.arraycopy(gateUp, r * 2 * inner, gate, 0, inner);
      System.arraycopy(gateUp, r * 2 * inner + inner, up, 0, inner);
      for (int j = 0; j < inner; j++) {
        float x = gate[j];
        h[j] = x * sigmoid(x) * up[j];
      }
      System.arraycopy(h, 0, hidden, r * inner, inner);
    }
  }

  /** dL/d[gate | up] of {@link #swiglu}, given dL/dhidden (row copies as there). */
  static void swigluBackward(float[] gateUp, float[] dHidden, int n, int inner, float[] dGateUp) {
    float[] gate = new float[inner];
    float[] up = new float[inner];
    float[] dh = new float[inner];
    float[] dGate = new float[inner];
    float[] dUp = new float[inner];
    float[] sig = new float[inner];
    for (int r = 0; r < n; r++) {
      int g = r * 2 * inner;
      System.arraycopy(gateUp, g, gate, 0, inner);
      System.arraycopy(gateUp, g + inner, up, 0, inner);
      System.arraycopy(dHidden, r * inner, dh, 0, inner);
      // two loops: one body with the sigmoid and both outputs is too large for C2 to vectorise
      for (int j = 0; j < inner; j++) {
        sig[j] = sigmoid(gate[j]);
      }
      for (int j = 0; j < inner; j++) {
        float x = gate[j];
        float s = sig[j];
        dGate[j] = dh[j] * up[j] * s * (1 + x * (1 - s));
        dUp[j] = dh[j] * x * s;
      }
      System.arraycopy(dGate, 0, dGateUp, g, inner);
      System.arraycopy(dUp, 0, dGateUp, g + inner, inner);
    }
  }

  /** out = tanh-GELU(x) over [0, length). */
  static void gelu(float[] x, int length, float[] out) {
    for (int i = 0; i < length; i++) {
      float v = x[i];
      float t = LstmKernel.tanh(GELU_C * (v + GELU_A * v * v * v));
      out[i] = 0.5f * v * (1 + t);
    }
  }

  /** dx = dL/dx of {@link #gelu} at x, given dy. */
  static void geluBackward(float[] x, float[] dy, int length, float[] dx) {
    for (int i = 0; i < length; i++) {
      float v = x[i];
      float t = LstmKernel.tanh(GELU_C * (v + GELU_A * v * v * v));
      float slope = 0.5f * (1 + t) + 0.5f * v * (1 - t * t) * GELU_C * (1 + 3 * GELU_A * v * v);
      dx[i] = slope * dy[i];
    }
  }

  /** Adds bias (at offset b of p, width w) to rows [0, n) of y at column c, leading dim ld. */
  static void addBias(float[] y, int n, int ld, int c, float[] p, int b, int w) {
    for (int r = 0; r < n; r++) {
      int o = r * ld + c;
      for (int j = 0; j < w; j++) {
        y[o + j] += p[b + j];
      }
    }
  }

  /** gradient[g + j] += sum over rows of dy[r][c + j], j < w. */
  static void biasGradient(float[] dy, int n, int ld, int c, int w, double[] gradient, int g) {
    double[] sum = new double[w];
    for (int r = 0; r < n; r++) {
      int o = r * ld + c;
      for (int j = 0; j < w; j++) {
        sum[j] += dy[o + j];
      }
    }
    for (int j = 0; j < w; j++) {
      gradient[g + j] += sum[j];
    }
  }
}
