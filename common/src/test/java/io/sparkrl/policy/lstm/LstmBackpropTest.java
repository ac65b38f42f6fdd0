package io.sparkrl.policy.lstm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrl.gradient.*;
import io.sparkrl.gradient.LossSettings.Aggregation;
import io.sparkrl.gradient.LossSettings.KlEstimator;
import io.sparkrl.policy.PolicySettings;
import io.sparkrl.policy.lstm.LstmFactory;
import io.sparkrl.sampling.*;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The fast backward pass against DL4J's ({@link Dl4jGradient#sum}, itself checked against finite
 * differences in double by {@link ReinforceGradientFiniteDifferenceTest}): same gradient sum, loss
 * sum and counts, on several shapes and every loss option, with sequences of different prompt and
 * completion lengths (so rows are padded).
 */
class LstmBackpropTest {
  /**
   * Norm-wise relative error in float: max_k |fast_k - dl4j_k| <= TOLERANCE * max_k |dl4j_k|.
   * (Element by element, two float passes that sum in different orders differ by up to ~2e-5 on
   * entries 100x below the largest; a wrong gate, layout or sign gives errors of order 1.)
   */
  private static final double TOLERANCE = 1e-5;

  @ParameterizedTest(name = "E={0} H={1} L={2} V={3} B={4}, kl={5} {6}, entropy={7}")
  @CsvSource({
      "3,  4, 2,  7,  3, 0.0, K1, 0.0",
      "3,  4, 2,  7,  3, 0.3, K1, 0.2",
      "3,  4, 2,  7,  3, 0.3, K3, 0.2",
      "8, 16, 1, 11,  5, 0.0, K1, 0.1",
      "32, 64, 3, 40, 6, 0.5, K3, 0.0",
      "32, 128, 2, 40, 16, 0.2, K3, 0.05",
  })
  void gradientMatchesDl4j(int e, int h, int layers, int v, int b, double beta, KlEstimator kl,
      double alpha) {
    MultiLayerNetwork net = LstmFactory.create(new PolicySettings(e, h, layers, 11, 256), v,
        DataType.FLOAT);
    List<TrainingSequence> sequences = randomSequences(v, b, 5);
    SequenceBatch batch = new SequenceBatch(sequences);
    double[] advantages = new SplittableRandom(9).doubles(b, -1.5, 1.5).toArray();
    double[][] reference = referenceLogProbs(sequences);
    LossSettings loss = new LossSettings(Aggregation.SEQUENCE_MEAN, beta, kl, alpha);

    GradientSum dl4j = Dl4jGradient.sum(net, batch, advantages, loss, reference);
    GradientSum fast = LstmBackprop.of(net, "test").sum(batch, advantages, loss, reference);

    assertClose(dl4j.gradient(), fast.gradient());
    assertEquals(dl4j.lossSum(), fast.lossSum(), 1e-5 * Math.max(1, Math.abs(dl4j.lossSum())));
    assertEquals(dl4j.sequences(), fast.sequences());
    assertEquals(dl4j.tokens(), fast.tokens());
  }

  /** Several gradients of one batch share a forward pass; each still equals its own DL4J pass. */
  @Test
  void repeatedSumsOnOneBatchMatchDl4j() {
    MultiLayerNetwork net = LstmFactory.create(new PolicySettings(8, 16, 2, 3, 256), 9, DataType.FLOAT);
    List<TrainingSequence> sequences = randomSequences(9, 4, 3);
    SequenceBatch batch = new SequenceBatch(sequences);
    LstmBackprop fast = LstmBackprop.of(net, "test");
    for (double[] advantages : new double[][] {{1, -1, 0.5, 2}, {1, 1, 1, 1}, {0, 0, 0, 0}}) {
      LossSettings loss = new LossSettings(Aggregation.TOKEN_MEAN, 0, KlEstimator.K1, 0.1);
      assertClose(Dl4jGradient.sum(net, batch, advantages, loss, null).gradient(),
          fast.sum(batch, advantages, loss, null).gradient());
    }
  }

  /**
   * In double, DL4J's gradient is the finite-difference-checked one; the fast pass (float) matches
   * it to float precision.
   */
  @Test
  void matchesTheFiniteDifferenceCheckedDoublePath() {
    MultiLayerNetwork net = LstmFactory.create(new PolicySettings(3, 4, 2, 7, 256), 7, DataType.DOUBLE);
    SequenceBatch batch = new SequenceBatch(ReinforceGradientFiniteDifferenceTest.sequences());
    double[] advantages = {1.3, -0.7, 0.4};
    LossSettings loss = new LossSettings(Aggregation.SEQUENCE_MEAN, 0.3, KlEstimator.K3, 0.2);
    double[][] reference = ReinforceGradientFiniteDifferenceTest.referenceLogProbs();
    assertClose(Dl4jGradient.sum(net, batch, advantages, loss, reference).gradient(),
        LstmBackprop.of(net, "test").sum(batch, advantages, loss, reference).gradient());
  }

  @Test
  void completionLogProbsMatchDl4jForwardPass() {
    MultiLayerNetwork net = LstmFactory.create(new PolicySettings(16, 32, 2, 5, 256), 12, DataType.FLOAT);
    SequenceBatch batch = new SequenceBatch(randomSequences(12, 7, 4));
    double[][] dl4j = LstmBatch.completionLogProbs(net, batch);
    double[][] fast = LstmBackprop.of(net, "test").completionLogProbs(batch);
    for (int i = 0; i < dl4j.length; i++) {
      assertEquals(dl4j[i].length, fast[i].length);
      for (int k = 0; k < dl4j[i].length; k++) {
        assertEquals(dl4j[i][k], fast[i][k], 1e-5, "sequence " + i + " token " + k);
      }
    }
  }

  static void assertClose(double[] expected, double[] actual) {
    assertEquals(expected.length, actual.length);
    double scale = 0;
    for (double x : expected) {
      scale = Math.max(scale, Math.abs(x));
    }
    assertTrue(scale > 0, "reference gradient is zero");
    double worst = 0;
    int worstAt = -1;
    for (int k = 0; k < expected.length; k++) {
      double error = Math.abs(expected[k] - actual[k]) / scale;
      if (error > worst) {
        worst = error;
        worstAt = k;
      }
    }
    assertTrue(worst <= TOLERANCE, "relative error " + worst + " at parameter " + worstAt
        + ": dl4j " + (worstAt < 0 ? 0 : expected[worstAt]) + ", fast "
        + (worstAt < 0 ? 0 : actual[worstAt]));
  }

  /** BOS, random prompt, SEP, random completion; lengths differ between sequences. */
  static List<TrainingSequence> randomSequences(int vocabulary, int count, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<TrainingSequence> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int[] prompt = new int[2 + random.nextInt(6)];
      int[] completion = new int[1 + random.nextInt(9)];
      for (int k = 0; k < prompt.length; k++) {
        prompt[k] = random.nextInt(vocabulary);
      }
      for (int k = 0; k < completion.length; k++) {
        completion[k] = random.nextInt(vocabulary);
      }
      out.add(TrainingSequence.of(prompt, completion));
    }
    return out;
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
