package io.sparkrl.gradient;

import java.io.Serializable;
import java.util.Arrays;

/**
 * A sum, never a mean, over some sequences: the gradient of the summed loss, the loss sum and the
 * counts. Sums from any split of a batch add up to the sum of the whole batch, so partitions merge
 * exactly and the driver divides once by the global count.
 *
 * @param gradient d(lossSum)/d(theta), in the network's flat parameter order
 * @param sequences completions summed over
 * @param tokens completion tokens summed over (EOS included when sampled)
 * @param lossSum the summed loss
 */
public record GradientSum(double[] gradient, long sequences, long tokens, double lossSum)
    implements Serializable {

  /** Serialized as a {@link GradientSumForm}: lossless, about half the bytes of the doubles. */
  private Object writeReplace() throws java.io.ObjectStreamException {
    return new GradientSumForm(this);
  }

  public static GradientSum zero(int parameters) {
    return new GradientSum(new double[parameters], 0, 0, 0);
  }

  public GradientSum plus(GradientSum other) {
    return new GradientSum(gradient.clone(), sequences, tokens, lossSum).plusInPlace(other);
  }

  /**
   * {@link #plus}, written into this sum's gradient array instead of a new one: the same doubles,
   * without a second array of 8 bytes a parameter. Only for a sum its caller owns (one read from
   * a task's result), which must not be used afterwards: the returned sum shares its array.
   */
  public GradientSum plusInPlace(GradientSum other) {
    if (other.gradient.length != gradient.length) {
      throw new IllegalArgumentException("gradient sizes differ: " + gradient.length + " vs "
          + other.gradient.length);
    }
    double[] g = gradient;
    for (int i = 0; i < g.length; i++) {
      g[i] += other.gradient[i];
    }
    return new GradientSum(g, sequences + other.sequences, tokens + other.tokens,
        lossSum + other.lossSum);
  }

  /** {@code a * this + b * other} for the gradient and loss; counts are this one's. */
  public GradientSum combine(double a, GradientSum other, double b) {
    double[] g = new double[gradient.length];
    for (int i = 0; i < g.length; i++) {
      g[i] = a * gradient[i] + b * other.gradient[i];
    }
    return new GradientSum(g, sequences, tokens, a * lossSum + b * other.lossSum);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GradientSum s && Arrays.equals(gradient, s.gradient)
        && sequences == s.sequences && tokens == s.tokens
        && Double.doubleToLongBits(lossSum) == Double.doubleToLongBits(s.lossSum);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(gradient) * 31 + Long.hashCode(tokens);
  }
}
