package io.sparkrl.gradient;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;

/**
 * The per-token REINFORCE loss with optional KL penalty and entropy bonus, as a DL4J loss
 * function on the softmax output layer.
 *
 * <p>Its package is part of the persisted format: DL4J writes the class name into every LSTM
 * policy's configuration JSON (policy files and checkpoints), so it stays here.
 *
 * <p>Why not a label mask: DL4J multiplies the output layer's pre-activations by a label mask, so
 * advantages carried in a real-valued mask silently give wrong gradients. Here every number the
 * loss needs travels in the labels instead, in {@link #CHANNELS} channels per row (one row per
 * sequence position, after DL4J reshapes (B, C, T) to (B*T, C)):
 *
 * <pre>
 *   0  a      the target token id (the token that was sampled at this position)
 *   1  A      advantage: the row's loss has the term -A * log pi(a)
 *   2  beta   KL weight: + beta * k(log pi(a), log pi_ref(a))
 *   3  lref   log pi_ref(a) under the frozen reference policy
 *   4  alpha  entropy weight: - alpha * H(pi(.))
 *   5  k      KL estimator: 0 = k1 (log pi - log pi_ref), 1 = k3 (rho - log rho - 1, rho = pi_ref/pi)
 * </pre>
 *
 * Prompt and padding positions have A = beta = alpha = 0 and contribute nothing. With p the
 * softmax of the pre-activations z and e_a the one-hot of a, the gradient of a row is
 * {@code dL/dz = (beta*kappa - A) (e_a - p) + alpha p (log p + H)}, kappa = 1 for k1 and
 * 1 - rho for k3. Computed in double precision whatever the network's data type.
 */
public final class ReinforceLoss implements ILossFunction {
  private static final long serialVersionUID = 1L;

  public static final int CHANNELS = 6;
  public static final int TARGET = 0;
  public static final int ADVANTAGE = 1;
  public static final int KL_WEIGHT = 2;
  public static final int REFERENCE_LOG_PROB = 3;
  public static final int ENTROPY_WEIGHT = 4;
  public static final int KL_ESTIMATOR = 5;

  /** Label layout version; a field so DL4J's JSON configuration has something to serialise. */
  private int labelLayout = 1;

  public int getLabelLayout() {
    return labelLayout;
  }

  public void setLabelLayout(int labelLayout) {
    this.labelLayout = labelLayout;
  }

  @Override
  public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn,
      INDArray mask, boolean average) {
    double sum = 0;
    for (double v : rowScores(labels, preOutput, mask)) {
      sum += v;
    }
    return average ? sum / preOutput.size(0) : sum;
  }

  @Override
  public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn,
      INDArray mask) {
    return Nd4j.createFromArray(rowScores(labels, preOutput, mask)).reshape(preOutput.size(0), 1)
        .castTo(preOutput.dataType());
  }

  @Override
  public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn,
      INDArray mask) {
    return compute(labels, preOutput, mask, null, true);
  }

  @Override
  public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput,
      IActivation activationFn, INDArray mask, boolean average) {
    double[] scores = new double[(int) preOutput.size(0)];
    INDArray grad = compute(labels, preOutput, mask, scores, true);
    double sum = 0;
    for (double v : scores) {
      sum += v;
    }
    return new Pair<>(average ? sum / scores.length : sum, grad);
  }

  @Override
  public String name() {
    return "reinforce";
  }

  private static double[] rowScores(INDArray labels, INDArray preOutput, INDArray mask) {
    double[] scores = new double[(int) preOutput.size(0)];
    compute(labels, preOutput, mask, scores, false);
    return scores;
  }

  /** Fills {@code scores} (if given) and returns dL/dz, shape (rows, V) (null unless wanted). */
  private static INDArray compute(INDArray labels, INDArray preOutput, INDArray mask,
      double[] scores, boolean wantGradient) {
    if (mask != null) {
      throw new IllegalArgumentException("ReinforceLoss carries its weights in the labels; a mask"
          + " array is not supported (shape " + java.util.Arrays.toString(mask.shape()) + ")");
    }
    if (labels.size(1) != CHANNELS) {
      throw new IllegalArgumentException("ReinforceLoss expects " + CHANNELS
          + " label channels, got " + labels.size(1));
    }
    int rows = (int) preOutput.size(0);
    int v = (int) preOutput.size(1);
    // Flat row-major copies: element-wise INDArray access (toDoubleMatrix on a permuted view,
    // createFromArray of a double[][]) cost more than the loss itself.
    double[] z = flat(preOutput);
    double[] lab = flat(labels);
    double[] grad = new double[rows * v];
    double[] zr = new double[v];
    for (int r = 0; r < rows; r++) {
      int lo = r * CHANNELS;
      double a = lab[lo + ADVANTAGE];
      double beta = lab[lo + KL_WEIGHT];
      double alpha = lab[lo + ENTROPY_WEIGHT];
      if (a == 0 && beta == 0 && alpha == 0) {
        continue; // prompt or padding position
      }
      System.arraycopy(z, r * v, zr, 0, v);
      double score = TokenLoss.row(zr, (int) lab[lo + TARGET], a, beta,
          lab[lo + REFERENCE_LOG_PROB], lab[lo + KL_ESTIMATOR] != 0, alpha, grad, r * v);
      if (scores != null) {
        scores[r] = score;
      }
    }
    if (!wantGradient) {
      return null;
    }
    long[] shape = {rows, v};
    if (preOutput.dataType() == DataType.DOUBLE) {
      return Nd4j.create(grad, shape, 'c');
    }
    float[] g = new float[grad.length];
    for (int i = 0; i < g.length; i++) {
      g[i] = (float) grad[i];
    }
    return Nd4j.create(g, shape, 'c').castTo(preOutput.dataType());
  }

  /** The elements of a 2-d array in row-major order, as doubles. */
  private static double[] flat(INDArray a) {
    int n = (int) a.length();
    INDArray c = a.dup('c');
    if (c.dataType() == DataType.DOUBLE) {
      double[] d = c.data().asDouble();
      return d.length == n ? d : java.util.Arrays.copyOf(d, n);
    }
    if (c.dataType() != DataType.FLOAT) {
      c = c.castTo(DataType.FLOAT);
    }
    float[] f = c.data().asFloat();
    double[] d = new double[n];
    for (int i = 0; i < d.length; i++) {
      d[i] = f[i];
    }
    return d;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ReinforceLoss other && other.labelLayout == labelLayout;
  }

  @Override
  public int hashCode() {
    return labelLayout;
  }

  @Override
  public String toString() {
    return "ReinforceLoss()";
  }
}
