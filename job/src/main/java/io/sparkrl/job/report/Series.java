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
}
