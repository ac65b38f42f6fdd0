package io.sparkrl.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AdamWTest {
  private static final ScheduleSettings CONSTANT = new ScheduleSettings(ScheduleType.CONSTANT, 0, 1000, 0.0);

  private static OptimizerSettings settings(double lr, double weightDecay, double maxGradNorm) {
    return new OptimizerSettings(lr, 0.9, 0.999, 1e-8, weightDecay, maxGradNorm, CONSTANT);
  }

  @Test
  void matchesHandComputedStepsOnTwoParameters() {
    double lr = 0.1;
    double b1 = 0.9;
    double b2 = 0.999;
    double eps = 1e-8;
    double wd = 0.01;
    double[][] gradients = {{0.5, -0.25}, {0.1, 0.3}, {-0.2, 0.05}};
    AdamW adam = new AdamW(settings(lr, wd, 0.0), 2);
    float[] params = {1.0f, -2.0f};

    // Independent reference: the formulas with plain doubles, θ stored as float between steps.
    double[] theta = {1.0, -2.0};
    double[] m = new double[2];
    double[] v = new double[2];
    for (int step = 1; step <= 3; step++) {
      double[] g = gradients[step - 1];
      for (int i = 0; i < 2; i++) {
        m[i] = b1 * m[i] + (1 - b1) * g[i];
        v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
        double mHat = m[i] / (1 - Math.pow(b1, step));
        double vHat = v[i] / (1 - Math.pow(b2, step));
        theta[i] = (float) (theta[i] - lr * wd * theta[i] - lr * mHat / (Math.sqrt(vHat) + eps));
      }
      UpdateReport report = adam.apply(params, g);
      assertEquals(Math.hypot(g[0], g[1]), report.gradNorm(), 1e-15);
      assertEquals(report.gradNorm(), report.clippedNorm(), 0.0);
      assertEquals(lr, report.learningRate(), 0.0);
      assertEquals(step, report.step());
      assertEquals(theta[0], params[0], 1e-6, "step " + step);
      assertEquals(theta[1], params[1], 1e-6, "step " + step);
      if (step == 1) {
        // By hand: at t = 1, m̂ = g and v̂ = g², so the Adam step is lr·g/(|g|+ε) ≈ ±0.1, and the
        // decay takes lr·wd·θ = 0.001·θ: 1 − 0.001 − 0.1 = 0.899; −2 + 0.002 + 0.1 = −1.898.
        assertEquals(0.899f, params[0], 1e-6f);
        assertEquals(-1.898f, params[1], 1e-6f);
      }
    }
    AdamWState state = adam.state();
    assertEquals(3, state.t());
    assertArrayEquals(m, state.m(), 1e-15);
    assertArrayEquals(v, state.v(), 1e-15);
  }

  @Test
  void weightDecayIsDecoupledFromTheMoments() {
    double lr = 0.05;
    double wd = 0.2;
    AdamW adam = new AdamW(settings(lr, wd, 1.0), 4);
    float[] params = {3.0f, -1.5f, 0.0f, 1e-3f};
    float[] expected = params.clone();
    for (int step = 0; step < 10; step++) {
      adam.apply(params, new double[4]);
      for (int i = 0; i < 4; i++) {
        expected[i] = (float) (expected[i] * (1.0 - lr * wd));
      }
      assertArrayEquals(expected, params, "step " + step);
    }
    assertEquals(3.0 * Math.pow(0.99, 10), params[0], 1e-5);
    AdamWState state = adam.state();
    assertArrayEquals(new double[4], state.m(), 0.0);
    assertArrayEquals(new double[4], state.v(), 0.0);

    // With a real gradient the moments are those of the gradient alone, whatever the decay.
    AdamW decayed = new AdamW(settings(lr, 0.5, 0.0), 2);
    AdamW plain = new AdamW(settings(lr, 0.0, 0.0), 2);
    float[] a = {1.0f, 2.0f};
    float[] b = a.clone();
    for (double[] g : new double[][] {{0.3, -0.1}, {0.2, 0.4}}) {
      decayed.apply(a, g);
      plain.apply(b, g);
    }
    assertArrayEquals(plain.state().m(), decayed.state().m(), 0.0);
    assertArrayEquals(plain.state().v(), decayed.state().v(), 0.0);
    assertTrue(a[1] < b[1] - 0.05, "decay must shrink the parameter: " + a[1] + " vs " + b[1]);
  }

  @Test
  void clipsToTheGlobalNorm() {
    double[] warm = {0.3, -0.4};
    AdamW clipping = new AdamW(settings(0.01, 0.0, 1.0), 2);
    AdamW prescaled = new AdamW(settings(0.01, 0.0, 0.0), 2);
    AdamW unclipped = new AdamW(settings(0.01, 0.0, 0.0), 2);
    float[] p1 = {0.5f, 0.5f};
    float[] p2 = p1.clone();
    float[] p3 = p1.clone();

    UpdateReport small = clipping.apply(p1, warm);
    assertEquals(0.5, small.gradNorm(), 1e-15);
    assertEquals(0.5, small.clippedNorm(), 1e-15);
    assertFalse(small.clipped());
    prescaled.apply(p2, warm);
    unclipped.apply(p3, warm);

    double[] big = {6.0, 8.0};
    UpdateReport report = clipping.apply(p1, big);
    assertArrayEquals(new double[] {6.0, 8.0}, big, 0.0, "the caller's gradient must not change");
    assertEquals(10.0, report.gradNorm(), 1e-12);
    assertEquals(1.0, report.clippedNorm(), 1e-12);
    assertTrue(report.clipped());
    prescaled.apply(p2, new double[] {0.6, 0.8});
    assertArrayEquals(p2, p1, 1e-7f);
    assertArrayEquals(prescaled.state().m(), clipping.state().m(), 1e-15);
    assertArrayEquals(prescaled.state().v(), clipping.state().v(), 1e-15);
    assertEquals(0.9 * 0.1 * 0.3 + 0.1 * 0.6, clipping.state().m()[0], 1e-15);

    // max-grad-norm 0 never clips, and here that makes a visible difference.
    UpdateReport free = unclipped.apply(p3, big);
    assertEquals(10.0, free.gradNorm(), 1e-12);
    assertEquals(10.0, free.clippedNorm(), 1e-12);
    assertFalse(free.clipped());
    assertEquals(0.9 * 0.1 * 0.3 + 0.1 * 6.0, unclipped.state().m()[0], 1e-15);
    assertNotEquals(p1[0], p3[0]);
  }

  @Test
  void clipsHugeFiniteGradientsInTheRightDirection() {
    AdamW adam = new AdamW(settings(0.01, 0.0, 1.0), 2);
    UpdateReport report = adam.apply(new float[2], new double[] {1e200, -1e200});
    assertEquals(Math.sqrt(2.0) * 1e200, report.gradNorm(), 1e186);
    double[] m = adam.state().m();
    assertEquals(0.1 / Math.sqrt(2.0), m[0], 1e-15);
    assertEquals(-0.1 / Math.sqrt(2.0), m[1], 1e-15);
  }

  @Test
  void saveAndRestoreContinueBitForBit() throws IOException {
    OptimizerSettings s = new OptimizerSettings(0.05, 0.9, 0.99, 1e-8, 0.01, 1.0,
        new ScheduleSettings(ScheduleType.COSINE, 3, 8, 0.1));
    Random random = new Random(42);
    double[][] gradients = new double[10][5];
    for (double[] g : gradients) {
      for (int i = 0; i < g.length; i++) {
        g[i] = random.nextGaussian();
      }
    }
    AdamW original = new AdamW(s, 5);
    float[] params = {0.1f, -0.2f, 0.3f, 1.5f, -4.0f};
    for (int step = 0; step < 5; step++) {
      original.apply(params, gradients[step]);
    }

    AdamWState saved = original.state();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    original.writeTo(new DataOutputStream(bytes));
    AdamWState read = AdamW.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
    assertEquals(saved, read);
    assertEquals(5, read.t());

    AdamW fromState = AdamW.restore(s, saved);
    AdamW fromBytes = AdamW.restore(s, read);
    float[] paramsA = params.clone();
    float[] paramsB = params.clone();
    for (int step = 5; step < 10; step++) {
      UpdateReport r = original.apply(params, gradients[step]);
      assertEquals(r, fromState.apply(paramsA, gradients[step]));
      assertEquals(r, fromBytes.apply(paramsB, gradients[step]));
    }
    assertArrayEquals(params, paramsA);
    assertArrayEquals(params, paramsB);
    assertEquals(original.state(), fromState.state());
    assertEquals(original.state(), fromBytes.state());
    assertEquals(10, original.step());
    assertEquals(5, saved.t(), "a saved state is a snapshot");
    assertNotEquals(saved, original.state());
  }

  @Test
  void minimisesAQuadratic() {
    double[] a = {1.0, 10.0, 0.1, 3.0};
    double[] c = {1.0, -2.0, 0.5, 3.0};
    OptimizerSettings s = new OptimizerSettings(0.1, 0.9, 0.999, 1e-8, 0.0, 1.0,
        new ScheduleSettings(ScheduleType.COSINE, 10, 190, 0.01));
    AdamW adam = new AdamW(s, 4);
    float[] theta = new float[4];
    double initial = loss(theta, a, c);
    for (int step = 0; step < 200; step++) {
      double[] g = new double[4];
      for (int i = 0; i < 4; i++) {
        g[i] = a[i] * (theta[i] - c[i]);
      }
      adam.apply(theta, g);
    }
    double last = loss(theta, a, c);
    assertTrue(last < initial / 100, "loss " + initial + " -> " + last);
  }

  private static double loss(float[] theta, double[] a, double[] c) {
    double sum = 0;
    for (int i = 0; i < theta.length; i++) {
      sum += 0.5 * a[i] * (theta[i] - c[i]) * (theta[i] - c[i]);
    }
    return sum;
  }

  @Test
  void rejectsNonFiniteGradientsWithoutChangingState() {
    AdamW adam = new AdamW(settings(0.1, 0.1, 1.0), 3);
    float[] params = {1f, 2f, 3f};
    adam.apply(params, new double[] {0.1, 0.2, 0.3});
    AdamWState before = adam.state();
    float[] paramsBefore = params.clone();

    IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
        () -> adam.apply(params, new double[] {0.1, Double.NaN, Double.POSITIVE_INFINITY}));
    assertTrue(nan.getMessage().contains("gradient[1]"), nan.getMessage());
    IllegalArgumentException inf = assertThrows(IllegalArgumentException.class,
        () -> adam.apply(params, new double[] {Double.NEGATIVE_INFINITY, 0.0, 0.0}));
    assertTrue(inf.getMessage().contains("gradient[0]"), inf.getMessage());
    assertThrows(IllegalArgumentException.class, () -> adam.apply(params, new double[] {0.1, 0.2}));
    assertThrows(IllegalArgumentException.class, () -> adam.apply(new float[2], new double[3]));

    assertEquals(before, adam.state());
    assertEquals(1, adam.step());
    assertArrayEquals(paramsBefore, params);
    // Still usable afterwards, continuing from step 1.
    assertEquals(2, adam.apply(params, new double[] {0.1, 0.2, 0.3}).step());
  }
}
