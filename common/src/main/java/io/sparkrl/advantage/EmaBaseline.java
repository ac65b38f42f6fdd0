package io.sparkrl.advantage;

import java.io.Serializable;

/**
 * The {@code ema} baseline: a moving average of past batch means. It depends only on earlier
 * batches, never on the completion it is subtracted from, which keeps the estimator unbiased; so a
 * step uses {@link #baseline()} first and {@link #update}s with its own batch mean after. Part of
 * the checkpoint state, hence a value.
 *
 * @param value the current baseline
 * @param initialized whether any batch has been seen; the first batch mean replaces the initial 0
 *     instead of being averaged with it, which would bias the baseline toward 0 for many steps
 */
public record EmaBaseline(double value, boolean initialized) implements Serializable {
  private static final long serialVersionUID = 1L;

  public EmaBaseline {
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException("EMA baseline must be finite, was " + value);
    }
  }

  public static EmaBaseline initial() {
    return new EmaBaseline(0.0, false);
  }

  /** @param decay the weight of the old baseline, in [0, 1) */
  public EmaBaseline update(double batchMean, double decay) {
    if (!(decay >= 0.0 && decay < 1.0)) {
      throw new IllegalArgumentException("decay must be in [0, 1), was " + decay);
    }
    if (!Double.isFinite(batchMean)) {
      throw new IllegalArgumentException("batch mean must be finite, was " + batchMean);
    }
    if (!initialized) {
      return new EmaBaseline(batchMean, true);
    }
    return new EmaBaseline(decay * value + (1.0 - decay) * batchMean, true);
  }

  /** The b of {@code A = r − b}; 0 before the first update, so the first step is vanilla REINFORCE. */
  public double baseline() {
    return value;
  }
}
