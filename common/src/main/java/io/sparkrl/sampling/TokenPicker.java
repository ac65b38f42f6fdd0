package io.sparkrl.sampling;

/**
 * Turns one row of logits into a token: greedy, or a draw from the softmax with temperature, top-k
 * and top-p applied. Also gives log pi(token) under the untempered policy, which is what the
 * REINFORCE gradient differentiates. Reuses its scratch arrays: one picker per sampling thread.
 */
final class TokenPicker {
  private final SamplingSettings settings;
  private final double[] weights;
  private final double[] sorted;
  private double logProb;

  TokenPicker(SamplingSettings settings, int vocabularySize) {
    this.settings = settings;
    this.weights = new double[vocabularySize];
    this.sorted = new double[vocabularySize];
  }

  private static int argmax(float[] logits, int offset, int n) {
    int best = 0;
    for (int j = 1; j < n; j++) {
      if (logits[offset + j] > logits[offset + best]) {
        best = j;
      }
    }
    return best;
  }

  /**
   * A token for the logits at [offset, offset + V), using {@code uniform} in [0, 1); afterwards
   * {@link #logProb()} is its log-probability under the untempered policy.
   */
  int pick(float[] logits, int offset, double uniform) {
    int v = weights.length;
    double max = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < v; j++) {
      max = Math.max(max, logits[offset + j]);
    }
    // One pass gives the untempered normaliser and the sampling weights: at temperature 1 they
    // are the same exponentials, so the per-token cost is one exp per logit.
    double inverseTemperature = 1.0 / settings.temperature();
    boolean tempered = inverseTemperature != 1.0;
    double normaliser = 0;
    for (int j = 0; j < v; j++) {
      double shifted = logits[offset + j] - max;
      double e = Math.exp(shifted);
      normaliser += e;
      weights[j] = tempered ? Math.exp(shifted * inverseTemperature) : e;
    }
    int token = settings.isGreedy() ? argmax(logits, offset, v)
        : draw(uniform, v, tempered ? Double.NaN : normaliser);
    logProb = logits[offset + token] - (max + Math.log(normaliser));
    return token;
  }

  /** log pi(token) of the last {@link #pick}, under the untempered policy. */
  double logProb() {
    return logProb;
  }

  /**
   * A draw from the weights; {@code sum} is their sum when already known (the untempered
   * normaliser: the same additions in the same order), NaN otherwise.
   */
  private int draw(double uniform, int v, double sum) {
    double total = sum;
    if (settings.topK() > 0 && settings.topK() < v || settings.topP() < 1) {
      truncate(v);
      total = Double.NaN;
    }
    if (Double.isNaN(total)) {
      total = 0;
      for (int j = 0; j < v; j++) {
        total += weights[j];
      }
    }
    double target = uniform * total;
    double cumulative = 0;
    int last = 0;
    for (int j = 0; j < v; j++) {
      if (weights[j] > 0) {
        cumulative += weights[j];
        last = j;
        if (target < cumulative) {
          return j;
        }
      }
    }
    return last; // rounding at the top end
  }

  /**
   * Zeroes every weight outside the top-k and outside the top-p nucleus. The tokens kept are the
   * first of the order by weight descending, index ascending on ties: k of them, then the shortest
   * prefix of those whose cumulative weight reaches p of theirs. Sorting the weights' values (not
   * the tokens) gives the same sums in the same order, since tied weights are equal; the cut then
   * falls at a value, and among tokens of exactly that value the lowest indices are kept. O(V log
   * V) a token: a subword vocabulary has 32k-152k entries.
   */
  private void truncate(int v) {
    System.arraycopy(weights, 0, sorted, 0, v);
    java.util.Arrays.sort(sorted, 0, v); // ascending: rank r is sorted[v - 1 - r]
    int keep = settings.topK() > 0 ? Math.min(settings.topK(), v) : v;
    if (settings.topP() < 1) {
      double total = 0;
      for (int r = 0; r < keep; r++) {
        total += sorted[v - 1 - r];
      }
      double cumulative = 0;
      for (int r = 0; r < keep; r++) {
        cumulative += sorted[v - 1 - r];
        if (cumulative >= settings.topP() * total) {
          keep = r + 1;
          break;
        }
      }
    }
    double cut = sorted[v - keep];
    int above = 0;
    for (int j = 0; j < v; j++) {
      if (weights[j] > cut) {
        above++;
      }
    }
    int tiesKept = keep - above; // of the tokens weighing exactly the cut, the first ones
    for (int j = 0; j < v; j++) {
      if (weights[j] < cut) {
        weights[j] = 0;
      } else if (weights[j] == cut) {
        if (tiesKept > 0) {
          tiesKept--;
        } else {
          weights[j] = 0;
        }
      }
    }
  }
}
