package io.sparkrl.optim;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Objects;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter, "Decoupled Weight Decay
 * Regularization"), on one flat parameter vector, with global-norm gradient clipping and a
 * {@link LearningRateSchedule}. The arithmetic follows PyTorch's {@code torch.optim.AdamW}.
 *
 * <p>Why decoupled: adding {@code wd · θ} to the gradient (L2 regularisation, what plain Adam does)
 * sends the decay through Adam's per-parameter rescaling by {@code 1/sqrt(v̂)}, so parameters with
 * large gradients are barely decayed and those with small gradients are decayed hard. AdamW instead
 * shrinks every parameter by the same factor {@code 1 − lr · wd} next to the Adam step, so decay
 * strength does not depend on gradient history and the moments see only the loss gradient.
 *
 * <p>One update, with {@code t} the number of updates before it:
 *
 * <pre>
 *   g    = gradient · min(1, maxGradNorm / ‖gradient‖₂)    (no clipping when maxGradNorm = 0)
 *   lr   = schedule.at(t);  t = t + 1
 *   m    = β1 m + (1 − β1) g
 *   v    = β2 v + (1 − β2) g²
 *   m̂    = m / (1 − β1^t),  v̂ = v / (1 − β2^t)
 *   θ    = θ (1 − lr · wd) − lr · m̂ / (sqrt(v̂) + ε)
 * </pre>
 *
 * The decay uses θ before the Adam step, as in PyTorch. Moments and the update are computed in
 * double and only θ is stored as float, so moments of small gradients do not lose precision.
 *
 * <p>Not thread safe: one optimizer belongs to the driver that owns the parameters.
 */
public final class AdamW {
  /** The per-parameter arithmetic: four parameters at a time where the JVM can (same bits). */
  private static final MomentStep BEST = MomentStep.best();

  private final MomentStep moments;
  private final OptimizerSettings settings;
  private final LearningRateSchedule schedule;
  private final double[] m;
  private final double[] v;
  private long t;

  /** A fresh optimizer: zero moments, no step taken. */
  public AdamW(OptimizerSettings settings, int parameterCount) {
    this(settings, 0L, new double[requireCount(parameterCount)], new double[parameterCount],
        BEST);
  }

  /**
   * A fresh optimizer that updates one parameter at a time even where the JVM runs the Vector
   * API: the same bits, slower; the benchmark's "before".
   */
  public static AdamW withPlainArithmetic(OptimizerSettings settings, int parameterCount) {
    return new AdamW(settings, 0L, new double[requireCount(parameterCount)],
        new double[parameterCount], new ScalarMomentStep());
  }

  private AdamW(OptimizerSettings settings, long t, double[] m, double[] v, MomentStep moments) {
    this.moments = moments;
    this.settings = Objects.requireNonNull(settings, "settings == null");
    this.schedule = new LearningRateSchedule(settings);
    this.t = t;
    this.m = m;
    this.v = v;
  }

  /**
   * An optimizer that continues exactly where the one that produced {@code state} stopped.
   * The settings may differ from the original run's (e.g. a lowered learning rate on resume); the
   * schedule position is taken from {@code state.t()}.
   */
  public static AdamW restore(OptimizerSettings settings, AdamWState state) {
    Objects.requireNonNull(state, "state == null");
    return new AdamW(settings, state.t(), state.m(), state.v(), BEST);
  }

  /** Reads a state written by {@link #writeTo}; see {@link AdamWState#readFrom}. */
  public static AdamWState readFrom(DataInput in) throws IOException {
    return AdamWState.readFrom(in);
  }

  /**
   * Applies one update to {@code parameters} in place.
   *
   * @param parameters the flat parameter vector, updated in place
   * @param gradient the mini-batch mean gradient of the loss, not modified
   * @throws IllegalArgumentException if a length differs from {@link #parameterCount()} or the
   *     gradient holds a NaN or infinity (naming the first such index); nothing is changed then
   */
  public UpdateReport apply(float[] parameters, double[] gradient) {
    Objects.requireNonNull(parameters, "parameters == null");
    Objects.requireNonNull(gradient, "gradient == null");
    if (parameters.length != m.length || gradient.length != m.length) {
      throw new IllegalArgumentException("optimizer has " + m.length + " parameters but got "
          + parameters.length + " parameters and a gradient of " + gradient.length);
    }
    double gradNorm = l2Norm(gradient);
    double maxNorm = settings.maxGradNorm();
    boolean clip = maxNorm > 0.0 && gradNorm > maxNorm;
    // Scaling on the fly leaves the caller's array untouched; x * 1.0 == x exactly when not clipping.
    double scale = clip ? maxNorm / gradNorm : 1.0;
    double clippedNorm = clip ? maxNorm : gradNorm;

    double lr = schedule.at(t);
    t += 1;
    double beta1 = settings.beta1();
    double beta2 = settings.beta2();
    moments.apply(parameters, gradient, m, v, new MomentStep.Scalars(scale, beta1, beta2,
        1.0 - Math.pow(beta1, t), 1.0 - Math.pow(beta2, t), lr, 1.0 - lr * settings.weightDecay(),
        settings.epsilon()));
    return new UpdateReport(gradNorm, clippedNorm, lr, t);
  }

  /** A copy of the optimizer state, for checkpoints. */
  public AdamWState state() {
    return new AdamWState(t, m, v);
  }

  /**
   * Writes the state in {@link AdamWState}'s binary layout without copying it first. Wrap a stream
   * in a {@code BufferedOutputStream}: this writes one long per value.
   */
  public void writeTo(DataOutput out) throws IOException {
    AdamWState.write(out, t, m, v);
  }

  /** The number of updates applied so far. */
  public long step() {
    return t;
  }

  /** The length of the parameter vector this optimizer updates. */
  public int parameterCount() {
    return m.length;
  }

  /** The learning rate the next {@link #apply} will use. */
  public double nextLearningRate() {
    return schedule.at(t);
  }

  public OptimizerSettings settings() {
    return settings;
  }

  /**
   * The L2 norm, computed from the plain sum of squares and, only if that overflows, again with
   * the values scaled by their largest magnitude, so huge but finite gradients are still clipped
   * in the right direction instead of to zero. A finite sum of squares also proves every value
   * finite, so only a non-finite sum looks for a NaN or infinity.
   *
   * @throws IllegalArgumentException naming the first NaN or infinite value
   */
  static double l2Norm(double[] x) {
    double sum = 0.0;
    for (double value : x) {
      sum += value * value;
    }
    if (Double.isFinite(sum)) {
      return Math.sqrt(sum);
    }
    for (int i = 0; i < x.length; i++) {
      if (!Double.isFinite(x[i])) {
        throw new IllegalArgumentException("gradient[" + i + "] = " + x[i]
            + ": the gradient must be finite; no update applied");
      }
    }
    double max = 0.0;
    for (double value : x) {
      max = Math.max(max, Math.abs(value));
    }
    double scaled = 0.0;
    for (double value : x) {
      double r = value / max;
      scaled += r * r;
    }
    return max * Math.sqrt(scaled);
  }

  private static int requireCount(int parameterCount) {
    if (parameterCount < 0) {
      throw new IllegalArgumentException("parameterCount = " + parameterCount + ": must be >= 0");
    }
    return parameterCount;
  }
}
