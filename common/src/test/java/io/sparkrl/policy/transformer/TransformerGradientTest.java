package io.sparkrl.policy.transformer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrl.gradient.GradientSum;
import io.sparkrl.gradient.LossSettings.Aggregation;
import io.sparkrl.gradient.LossSettings.KlEstimator;
import io.sparkrl.gradient.LossSettings;
import io.sparkrl.gradient.SequenceBatch;
import io.sparkrl.gradient.TrainingSequence;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The gradient sum against central finite differences in DOUBLE, over every tensor of tiny models
 * of each family (GQA, q/k/v biases, tied and untied heads), on a padded batch of rows of different
 * prompt and completion lengths, for every loss option. The loss differentiated numerically is
 * written here from full log-softmaxes (not from the engine's loss code): {@code sum_i sum_t
 * [-A_i lp + beta k(lp, lp_ref) - alpha H]}.
 *
 * <p>Per tensor: the directional derivative along a random unit direction within the tensor (every
 * entry weighs in), and for tensors of at most 16 entries also one entry alone, by central
 * differences (step 1e-5 along a unit direction). Tolerance |fd - analytic| <= 1e-6 * scale + 1e-8, scale the largest of |fd| and
 * the directional derivatives' typical size.
 */
class TransformerGradientTest {
  private static final double H = 1e-5;

  @ParameterizedTest(name = "{0}: kl={1} {2}, entropy={3}")
  @CsvSource({
      "llama-gqa-bias-untied, 0.0, K1, 0.0",
      "llama-gqa-bias-untied, 0.3, K1, 0.0",
      "llama-gqa-bias-untied, 0.3, K3, 0.2",
      "llama-tied, 0.0, K1, 0.2",
      "llama-tied, 0.4, K3, 0.0",
      "gpt2, 0.0, K1, 0.0",
      "gpt2, 0.3, K1, 0.1",
      "gpt2, 0.2, K3, 0.0",
  })
  void gradientMatchesFiniteDifferences(String name, double beta, KlEstimator kl, double alpha) {
    TransformerShape shape = TinyTransformers.named(name);
    double[] theta = TinyTransformers.parameters(shape, 17, 0.4);
    List<TrainingSequence> sequences = TinyTransformers.sequences(shape.vocabularySize(), 5);
    SequenceBatch batch = new SequenceBatch(sequences);
    double[] advantages = {1.3, -0.7, 0.4, -1.1};
    double[][] reference = referenceLogProbs(sequences);
    LossSettings loss = new LossSettings(Aggregation.SEQUENCE_MEAN, beta, kl, alpha);
    GradientSum sum = TransformerPolicy.of(shape, theta, DataType.DOUBLE)
        .sum(batch, advantages, loss, reference);

    assertEquals(loss(shape, theta, sequences, advantages, beta, kl, alpha, reference),
        sum.lossSum(), 1e-10 * Math.max(1, Math.abs(sum.lossSum())));
    assertEquals(4, sum.sequences());
    assertEquals(4 + 2 + 1 + 6, sum.tokens());

    SplittableRandom random = new SplittableRandom(3);
    TransformerLayout layout = TransformerLayout.of(shape);
    double worst = 0;
    String worstAt = "";
    for (TransformerLayout.Tensor t : layout.tensors()) {
      List<double[]> directions = new ArrayList<>();
      double[] u = new double[theta.length];
      double length = 0;
      for (int k = 0; k < t.length(); k++) {
        u[t.offset() + k] = TinyTransformers.gaussian(random);
        length += u[t.offset() + k] * u[t.offset() + k];
      }
      for (int k = 0; k < t.length(); k++) {
        u[t.offset() + k] /= Math.sqrt(length);
      }
      directions.add(u);
      if (t.length() <= 16) { // small tensors (norms, biases): also one entry on its own
        double[] one = new double[theta.length];
        one[t.offset() + random.nextInt(t.length())] = 1;
        directions.add(one);
      }
      for (double[] dir : directions) {
        double analytic = 0;
        for (int k = 0; k < theta.length; k++) {
          analytic += sum.gradient()[k] * dir[k];
        }
        double plus = loss(shape, shift(theta, dir, H), sequences, advantages, beta, kl, alpha,
            reference);
        double minus = loss(shape, shift(theta, dir, -H), sequences, advantages, beta, kl, alpha,
            reference);
        double numeric = (plus - minus) / (2 * H); // unit direction: error ~ H^2 |f'''| ~ 1e-10
        double error = Math.abs(numeric - analytic) / (1e-6 * Math.max(Math.abs(numeric), 1e-2)
            + 1e-8);
        if (error > worst) {
          worst = error;
          worstAt = t.name() + " numeric " + numeric + " analytic " + analytic;
        }
      }
      // and the gradient of every tensor is non-trivial
      double norm = 0;
      for (int k = t.offset(); k < t.offset() + t.length(); k++) {
        norm = Math.max(norm, Math.abs(sum.gradient()[k]));
      }
      assertTrue(norm > 1e-6, t.name() + " has a zero gradient");
    }
    System.out.printf("%s kl=%s %s entropy=%s: worst error/tolerance %.3g%n", name, beta, kl,
        alpha, worst);
    assertTrue(worst <= 1, "finite differences disagree (error/tolerance " + worst + ") at "
        + worstAt);
  }

  private static double[] shift(double[] theta, double[] dir, double h) {
    double[] out = theta.clone();
    for (int k = 0; k < out.length; k++) {
      out[k] += h * dir[k];
    }
    return out;
  }

  /** The summed loss from full log-softmaxes of an independent forward evaluation. */
  static double loss(TransformerShape shape, double[] theta, List<TrainingSequence> sequences,
      double[] advantages, double beta, KlEstimator kl, double alpha, double[][] reference) {
    List<int[]> rows = new ArrayList<>();
    for (TrainingSequence s : sequences) {
      rows.add(s.tokens());
    }
    double[][][] lp = TransformerPolicy.of(shape, theta, DataType.DOUBLE).nextTokenLogProbs(rows);
    double total = 0;
    for (int i = 0; i < sequences.size(); i++) {
      TrainingSequence s = sequences.get(i);
      for (int k = 0; k < s.completionLength(); k++) {
        int t = s.promptLength() - 1 + k;
        double[] row = lp[i][t];
        double a = row[s.tokens()[t + 1]];
        total -= advantages[i] * a;
        double logRatio = reference[i][k] - a;
        total += beta * (kl == KlEstimator.K1 ? -logRatio : Math.exp(logRatio) - logRatio - 1);
        double entropy = 0;
        for (double x : row) {
          entropy -= Math.exp(x) * x;
        }
        total -= alpha * entropy;
      }
    }
    return total;
  }

  static double[][] referenceLogProbs(List<TrainingSequence> sequences) {
    SplittableRandom random = new SplittableRandom(4);
    double[][] out = new double[sequences.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = random.doubles(sequences.get(i).completionLength(), -4, -0.05).toArray();
    }
    return out;
  }
}
