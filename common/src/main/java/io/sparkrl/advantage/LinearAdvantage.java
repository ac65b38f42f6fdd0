package io.sparkrl.advantage;

import java.io.Serializable;

/**
 * An advantage that is affine in the reward, {@code A = scale · r + offset}. Estimators of this
 * form let each Spark task return {@code Σ r_i·∇_i} and {@code Σ ∇_i} separately, which the driver
 * combines exactly once the batch statistics are known: {@code Σ A_i·∇_i = scale·Σ r_i·∇_i +
 * offset·Σ ∇_i}.
 */
public record LinearAdvantage(double scale, double offset) implements Serializable {
  private static final long serialVersionUID = 1L;

  /** {@code A = r}: vanilla REINFORCE. */
  public static final LinearAdvantage IDENTITY = new LinearAdvantage(1.0, 0.0);

  public LinearAdvantage {
    if (!Double.isFinite(scale) || !Double.isFinite(offset)) {
      throw new IllegalArgumentException(
          "advantage must be finite: scale = " + scale + ", offset = " + offset);
    }
  }

  public double apply(double reward) {
    return scale * reward + offset;
  }
}
