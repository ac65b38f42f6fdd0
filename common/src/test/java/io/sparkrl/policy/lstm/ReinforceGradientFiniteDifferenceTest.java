package io.sparkrl.policy.lstm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrl.gradient.*;
import io.sparkrl.gradient.LossSettings.Aggregation;
import io.sparkrl.gradient.LossSettings.KlEstimator;
import io.sparkrl.policy.PolicySettings;
import io.sparkrl.policy.lstm.LstmFactory;
import io.sparkrl.sampling.*;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Central finite differences of the REINFORCE loss against DL4J's backward pass with
 * {@link ReinforceLoss}, in double precision, over every parameter of a small policy.
 */
@Tag("slow") // integration-test phase: every parameter, twice, through DL4J (minutes on 2 cores)
class ReinforceGradientFiniteDifferenceTest {
  private static final int VOCAB = 7;
  private static final double EPS = 1e-6;
  private static final double MAX_RELATIVE_ERROR = 1e-4;
  /**
   * Central differences of a loss of magnitude ~10 at EPS carry ~1e-9 of rounding noise, so entries
   * below this magnitude are held to an absolute bound instead of the relative one.
   */
  private static final double RELATIVE_FLOOR = 1e-5;

  /** Three sequences; prompt lengths 3, 5, 2 (BOS ... SEP); completions of 4, 2 and 5 tokens. */
  static List<TrainingSequence> sequences() {
    return List.of(
        TrainingSequence.of(new int[] {1, 5, 3}, new int[] {6, 5, 4, 2}),
        TrainingSequence.of(new int[] {1, 6, 6, 5, 3}, new int[] {4, 2}),
        TrainingSequence.of(new int[] {1, 3}, new int[] {5, 5, 6, 4, 2}));
  }

  static double[][] referenceLogProbs() {
    return new double[][] {{-1.2, -0.3, -2.5, -0.9}, {-1.7, -0.2}, {-0.4, -3.1, -1.1, -0.8, -2.0}};
  }

  @ParameterizedTest(name = "{0}, kl={1} {2}, entropy={3}")
  @CsvSource({
      "SEQUENCE_MEAN, 0.0, K1, 0.0",
      "TOKEN_MEAN,    0.0, K1, 0.0",
      "SEQUENCE_MEAN, 0.3, K1, 0.2",
      "SEQUENCE_MEAN, 0.3, K3, 0.2",
      "TOKEN_MEAN,    0.3, K3, 0.2",
  })
  void gradientMatchesFiniteDifferences(Aggregation aggregation, double beta, KlEstimator kl,
      double alpha) {
    MultiLayerNetwork net = LstmFactory.create(new PolicySettings(3, 4, 2, 7, 256), VOCAB,
        DataType.DOUBLE);
    LossSettings loss = new LossSettings(aggregation, beta, kl, alpha);
    SequenceBatch batch = new SequenceBatch(sequences());
    double[] advantages = {1.3, -0.7, 0.4}; // positive and negative
    double count = aggregation == Aggregation.SEQUENCE_MEAN ? batch.size() : batch.completionTokens();

    GradientSum analytic = Dl4jGradient.sum(net, batch, advantages, loss, referenceLogProbs());
    assertEquals(3, analytic.sequences());
    assertEquals(11, analytic.tokens());

    INDArray params = net.params();
    double worst = 0;
    String worstAt = "";
    int relativeChecks = 0;
    int checked = 0;
    for (Map.Entry<String, INDArray> block : net.paramTable().entrySet()) {
      // every parameter block must receive gradient, and every entry must match
      long offset = offsetOf(net, block.getKey());
      long n = block.getValue().length();
      double blockNorm = 0;
      for (long j = offset; j < offset + n; j++) {
        double original = params.getDouble(j);
        params.putScalar(j, original + EPS);
        double plus = Dl4jGradient.sum(net, batch, advantages, loss, referenceLogProbs()).lossSum();
        params.putScalar(j, original - EPS);
        double minus = Dl4jGradient.sum(net, batch, advantages, loss, referenceLogProbs()).lossSum();
        params.putScalar(j, original);
        double numeric = (plus - minus) / (2 * EPS) / count;
        double exact = analytic.gradient()[(int) j] / count;
        double scale = Math.max(Math.abs(numeric), Math.abs(exact));
        if (scale > RELATIVE_FLOOR) {
          relativeChecks++;
          double rel = Math.abs(numeric - exact) / scale;
          if (rel > worst) {
            worstAt = block.getKey() + "[" + (j - offset) + "] exact=" + exact + " numeric=" + numeric;
          }
          worst = Math.max(worst, rel);
        } else {
          assertTrue(Math.abs(numeric - exact) < 1e-8, "param " + j + " of " + block.getKey()
              + " exact=" + exact + " numeric=" + numeric);
        }
        blockNorm += exact * exact;
        checked++;
      }
      assertTrue(blockNorm > 0, "block " + block.getKey() + " got no gradient");
    }
    assertEquals(net.numParams(), checked);
    assertTrue(relativeChecks > checked / 2, "only " + relativeChecks + " of " + checked
        + " entries large enough for a relative check");
    assertTrue(worst <= MAX_RELATIVE_ERROR, "worst relative error " + worst + " at " + worstAt);
  }

  private static long offsetOf(MultiLayerNetwork net, String key) {
    long offset = 0;
    for (Map.Entry<String, INDArray> e : net.paramTable().entrySet()) {
      if (e.getKey().equals(key)) {
        return offset;
      }
      offset += e.getValue().length();
    }
    throw new IllegalArgumentException(key);
  }
}
