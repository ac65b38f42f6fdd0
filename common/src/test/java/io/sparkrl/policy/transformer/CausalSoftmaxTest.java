package io.sparkrl.policy.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CausalSoftmaxTest {
  @Test
  void theTestJvmUsesTheVectorSoftmax() {
    // the build passes --add-modules=jdk.incubator.vector to every test JVM, as the scripts do
    assertEquals(VectorCausalSoftmax.class, CausalSoftmax.BEST.getClass());
  }

  @Test
  void theExponentialIsWithinAnUlpOfMathExp() {
    SplittableRandom random = new SplittableRandom(5);
    double worst = 0;
    for (int i = 0; i < 2_000_000; i++) {
      // the softmax's range: shifted scores from 0 down to where e^x leaves the normal floats
      float x = i % 2 == 0 ? (float) (-3 * random.nextDouble())
          : (float) (ScalarCausalSoftmax.LOWEST * random.nextDouble());
      double exact = Math.exp(x);
      worst = Math.max(worst, Math.abs(ScalarCausalSoftmax.exp(x) - exact) / exact);
    }
    assertTrue(worst < 1.5e-7, "worst relative error " + worst);
    assertTrue(worst > 0, "a polynomial is not exact everywhere");
    assertEquals(1f, ScalarCausalSoftmax.exp(0f));
    assertEquals(0.5f, ScalarCausalSoftmax.exp((float) -Math.log(2)), 1e-7f);
    // below the normal floats: the smallest of them, nothing beside a softmax's largest term of 1
    assertEquals(Float.MIN_NORMAL, ScalarCausalSoftmax.exp(-100f), 1e-40f);
    assertEquals(Float.MIN_NORMAL, ScalarCausalSoftmax.exp(Float.NEGATIVE_INFINITY), 1e-40f);
    assertTrue(Float.isNaN(ScalarCausalSoftmax.exp(Float.NaN)));
  }

  @Test
  void vectorAndScalarGiveTheSameBits() {
    SplittableRandom random = new SplittableRandom(7);
    CausalSoftmax scalar = new ScalarCausalSoftmax();
    CausalSoftmax vector = new VectorCausalSoftmax();
    // lengths around the 8- and 16-lane vectors, and rounds enough for the JIT to compile both
    for (int round = 0; round < 3000; round++) {
      int len = 1 + random.nextInt(round < 100 ? 40 : 300);
      int t = random.nextInt(len);
      int o = random.nextInt(5);
      float[] s = new float[o + len + 3];
      for (int k = 0; k < s.length; k++) {
        // scores from a few units to hundreds apart, so some exponentials underflow to 0
        s[k] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(3)));
      }
      float scale = (float) (1 / Math.sqrt(1 + random.nextInt(128)));
      float[] a = s.clone();
      float[] b = s.clone();
      scalar.apply(a, o, t, len, scale);
      vector.apply(b, o, t, len, scale);
      assertArrayEquals(a, b, "round " + round + ": len " + len + ", t " + t);
      double sum = 0;
      for (int u = 0; u <= t; u++) {
        sum += a[o + u];
      }
      assertEquals(1.0, sum, 1e-5, "round " + round);
      for (int u = t + 1; u < len; u++) {
        assertEquals(0f, a[o + u], "masked position " + u);
      }
      assertEquals(s[o + len], a[o + len], "beyond the block");
    }
  }

  @Test
  void matchesTheDoublePrecisionSoftmax() {
    SplittableRandom random = new SplittableRandom(9);
    int len = 37;
    float[] s = new float[len];
    for (int k = 0; k < len; k++) {
      s[k] = (float) (4 * random.nextGaussian());
    }
    float scale = 0.25f;
    int t = 30;
    double max = Double.NEGATIVE_INFINITY;
    for (int u = 0; u <= t; u++) {
      max = Math.max(max, (double) s[u] * scale);
    }
    double[] expected = new double[len];
    double sum = 0;
    for (int u = 0; u <= t; u++) {
      expected[u] = Math.exp((double) s[u] * scale - max);
      sum += expected[u];
    }
    float[] got = s.clone();
    CausalSoftmax.BEST.apply(got, 0, t, len, scale);
    for (int u = 0; u < len; u++) {
      double want = u <= t ? expected[u] / sum : 0;
      assertEquals(want, got[u], 1e-6 * Math.max(want, 1e-3), "position " + u);
    }
  }
}
