package io.sparkrl.job.report;

/** One line of a chart: y against x (steps done), same length. */
public record Series(String label, double[] x, double[] y) {
  public Series {
    if (x.length != y.length) {
      throw new IllegalArgumentException("series " + label + ": " + x.length + " x values, "
          + y.length + " y values");
    }
  }

  public boolean isEmpty() {
    return x.length == 0;
  }

  /**
   * The trailing moving average: each point the mean of the last {@code window} points up to it
   * (fewer at the start), so a trend shows through step-to-step noise without looking ahead.
   */
  public Series movingAverage(int window, String label) {
    if (window < 1) {
      throw new IllegalArgumentException("moving average over " + window + " points");
    }
    double[] smooth = new double[y.length];
    double sum = 0;
    for (int i = 0; i < y.length; i++) {
      sum += y[i];
      if (i >= window) {
        sum -= y[i - window];
      }
      smooth[i] = sum / Math.min(i + 1, window);
    }
    return new Series(label, x, smooth);
  }

  /** The window of {@link #movingAverage} for a chart of this series: a twentieth of it, 2 to 50. */
  public int smoothingWindow() {
    return Math.max(2, Math.min(50, x.length / 20));
  }
}
