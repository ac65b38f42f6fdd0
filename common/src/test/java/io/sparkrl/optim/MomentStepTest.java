package io.sparkrl.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.sparkrl.vector.VectorModule;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MomentStepTest {
  @Test
  void theTestJvmUsesTheVectorArithmetic() {
    // the build passes --add-modules=jdk.incubator.vector to every test JVM, as the scripts do
    assertEquals(null, VectorModule.unavailable());
    assertEquals(VectorMomentStep.class, MomentStep.best().getClass());
  }

  @Test
  void vectorAndScalarGiveTheSameBitsOverManySteps() {
    SplittableRandom random = new SplittableRandom(11);
    // lengths around the 4-lane blocks (the scalar tail must join the vector body seamlessly), and
    // one long enough for the JIT to compile both loops
    for (int n : new int[] {1, 3, 4, 5, 8, 1023, 65_537}) {
      float[] p1 = new float[n];
      double[] m1 = new double[n];
      double[] v1 = new double[n];
      for (int i = 0; i < n; i++) {
        p1[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(-6, 3)));
      }
      float[] p2 = p1.clone();
      double[] m2 = m1.clone();
      double[] v2 = v1.clone();
      for (int step = 1; step <= 5; step++) {
        double[] g = new double[n];
        for (int i = 0; i < n; i++) {
          // gradients over 20 orders of magnitude, some exactly zero
          g[i] = random.nextInt(7) == 0 ? 0
              : random.nextGaussian() * Math.pow(10, random.nextInt(-12, 8));
        }
        MomentStep.Scalars s = new MomentStep.Scalars(step == 3 ? 0.37 : 1.0, 0.9, 0.999,
            1 - Math.pow(0.9, step), 1 - Math.pow(0.999, step), 1e-3 * step, 1 - 1e-3 * 0.01,
            1e-8);
        float[] before = p1.clone();
        new ScalarMomentStep().apply(p1, g, m1, v1, s);
        new VectorMomentStep().apply(p2, g, m2, v2, s);
        assertArrayEquals(m1, m2, "m, n " + n + ", step " + step);
        assertArrayEquals(v1, v2, "v, n " + n + ", step " + step);
        assertArrayEquals(p1, p2, "parameters, n " + n + ", step " + step);
        assertNotEquals(Arrays.toString(before), Arrays.toString(p1), "the step moved nothing");
      }
    }
  }

  @Test
  void bothFollowTheWrittenFormula() {
    // one parameter worked by hand: m = 0.1 g, v = 0.001 g^2, bias-corrected to g and g^2
    double g = 0.5;
    MomentStep.Scalars s = new MomentStep.Scalars(1.0, 0.9, 0.999, 0.1, 0.001, 0.01, 0.5, 0.0);
    for (MomentStep step : new MomentStep[] {new ScalarMomentStep(), new VectorMomentStep()}) {
      float[] p = {2f, 2f, 2f, 2f, 2f};
      double[] m = new double[5];
      double[] v = new double[5];
      step.apply(p, new double[] {g, g, g, g, g}, m, v, s);
      for (int i = 0; i < 5; i++) {
        // theta decay - lr * mHat / sqrt(vHat) = 2 * 0.5 - 0.01 * 0.5 / 0.5
        assertEquals(0.99f, p[i], 1e-7f, step.getClass().getSimpleName() + " [" + i + "]");
        assertEquals(0.05, m[i], 1e-15);
        assertEquals(0.00025, v[i], 1e-15);
      }
    }
  }
}
