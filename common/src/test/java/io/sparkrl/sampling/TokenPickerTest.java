package io.sparkrl.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Top-k and top-p truncation against a direct implementation of its definition (tokens ordered by
 * weight descending, index ascending on ties, by insertion sort; the first k kept, then the
 * shortest prefix reaching p of their weight), on logits with many exact ties; and a subword-sized
 * vocabulary picked in reasonable time.
 */
class TokenPickerTest {
  @Test
  void truncationKeepsExactlyTheTokensOfTheDefinition() {
    SplittableRandom random = new SplittableRandom(5);
    int checked = 0;
    for (int trial = 0; trial < 300; trial++) {
      int v = 1 + random.nextInt(60);
      float[] logits = new float[v];
      for (int j = 0; j < v; j++) { // a few distinct values: ties everywhere
        logits[j] = random.nextInt(5) * 0.5f - 1f;
      }
      int topK = random.nextInt(4) == 0 ? 0 : 1 + random.nextInt(v + 2);
      double topP = random.nextInt(3) == 0 ? 1.0 : 0.05 + 0.9 * random.nextDouble();
      double temperature = random.nextBoolean() ? 1.0 : 0.7;
      SamplingSettings settings = new SamplingSettings(1, temperature, topK, topP, 4);
      TokenPicker picker = new TokenPicker(settings, v);
      for (int draw = 0; draw < 20; draw++) {
        double u = random.nextDouble();
        int expected = reference(logits, settings, u);
        assertEquals(expected, picker.pick(logits, 0, u),
            "v " + v + ", top-k " + topK + ", top-p " + topP + ", u " + u);
        checked++;
      }
    }
    assertEquals(6000, checked);
  }

  @Test
  void aSubwordVocabularyIsTruncatedInReasonableTime() {
    int v = 151_936; // Qwen2's
    float[] logits = new float[v];
    SplittableRandom random = new SplittableRandom(8);
    for (int j = 0; j < v; j++) {
      logits[j] = (float) (3 * random.nextDouble());
    }
    TokenPicker picker = new TokenPicker(new SamplingSettings(1, 1.0, 50, 0.9, 4), v);
    long t0 = System.nanoTime();
    for (int i = 0; i < 20; i++) {
      int token = picker.pick(logits, 0, random.nextDouble());
      assertTrue(logits[token] >= 2.9, "a top-50 token of 151,936: logit " + logits[token]);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    // quadratic truncation took minutes a token at this size; a sort takes milliseconds
    assertTrue(seconds < 10, "20 picks took " + seconds + " s");
  }

  /** The definition, directly: insertion sort of the tokens, then the cumulative draw. */
  private static int reference(float[] logits, SamplingSettings s, double uniform) {
    int v = logits.length;
    double max = Double.NEGATIVE_INFINITY;
    for (float l : logits) {
      max = Math.max(max, l);
    }
    double[] w = new double[v];
    for (int j = 0; j < v; j++) {
      w[j] = Math.exp((logits[j] - max) * (1.0 / s.temperature()));
    }
    if (s.topK() > 0 && s.topK() < v || s.topP() < 1) {
      int[] order = new int[v];
      for (int j = 0; j < v; j++) {
        order[j] = j;
      }
      for (int a = 1; a < v; a++) {
        int x = order[a];
        int b = a - 1;
        while (b >= 0 && w[order[b]] < w[x]) {
          order[b + 1] = order[b];
          b--;
        }
        order[b + 1] = x;
      }
      int keep = s.topK() > 0 ? Math.min(s.topK(), v) : v;
      if (s.topP() < 1) {
        double total = 0;
        for (int r = 0; r < keep; r++) {
          total += w[order[r]];
        }
        double cumulative = 0;
        for (int r = 0; r < keep; r++) {
          cumulative += w[order[r]];
          if (cumulative >= s.topP() * total) {
            keep = r + 1;
            break;
          }
        }
      }
      for (int r = keep; r < v; r++) {
        w[order[r]] = 0;
      }
    }
    double total = 0;
    for (double x : w) {
      total += x;
    }
    double target = uniform * total;
    double cumulative = 0;
    int last = 0;
    for (int j = 0; j < v; j++) {
      if (w[j] > 0) {
        cumulative += w[j];
        last = j;
        if (target < cumulative) {
          return j;
        }
      }
    }
    return last;
  }
}
