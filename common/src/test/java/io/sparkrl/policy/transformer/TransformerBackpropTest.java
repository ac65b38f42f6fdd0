package io.sparkrl.policy.transformer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrl.gradient.GradientSum;
import io.sparkrl.gradient.LossSettings;
import io.sparkrl.gradient.LossSettings.Aggregation;
import io.sparkrl.gradient.LossSettings.KlEstimator;
import io.sparkrl.gradient.SequenceBatch;
import io.sparkrl.gradient.TrainingSequence;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The CPU fast path ({@link TransformerBackprop}) against the ND4J reference path
 * ({@link TransformerPolicy}, in float as it runs): the gradient sum norm-wise to 1e-5 relative
 * ({@code max_k |fast_k - ref_k| <= 1e-5 max_k |ref_k|}), the loss to 1e-5 relative and the
 * completion log-probs to 1e-5 absolute, on every family variant (GQA, q/k/v biases, tied and
 * untied heads, GPT-2), padded batches and every loss option.
 */
class TransformerBackpropTest {
  private static final double TOLERANCE = 1e-5;

  /** A Llama wider than the tiny ones, without biases (so q/k/v is one fused product). */
  static TransformerShape llamaFused() {
    return TransformerShape.llama(11, 2, 32, 4, 2, 24, 64, 10000, 1e-5, false, false);
  }

  static TransformerShape shape(String name) {
    return name.equals("llama-fused") ? llamaFused() : TinyTransformers.named(name);
  }

  @ParameterizedTest(name = "{0}: kl={1} {2}, entropy={3}")
  @CsvSource({
      "llama-gqa-bias-untied, 0.0, K1, 0.0",
      "llama-gqa-bias-untied, 0.3, K1, 0.0",
      "llama-gqa-bias-untied, 0.3, K3, 0.2",
      "llama-tied, 0.0, K1, 0.2",
      "llama-tied, 0.4, K3, 0.0",
      "llama-fused, 0.2, K3, 0.1",
      "gpt2, 0.0, K1, 0.0",
      "gpt2, 0.3, K1, 0.1",
      "gpt2, 0.2, K3, 0.0",
  })
  void gradientEqualsTheReferencePath(String name, double beta, KlEstimator kl, double alpha) {
    TransformerShape shape = shape(name);
    float[] theta = TinyTransformers.floats(TinyTransformers.parameters(shape, 17, 0.4));
    List<TrainingSequence> sequences = TinyTransformers.sequences(shape.vocabularySize(), 5);
    SequenceBatch batch = new SequenceBatch(sequences);
    double[] advantages = {1.3, -0.7, 0.4, -1.1};
    double[][] reference = referenceLogProbs(sequences);
    LossSettings loss = new LossSettings(Aggregation.SEQUENCE_MEAN, beta, kl, alpha);
    GradientSum expected = TransformerPolicy.of(shape, theta, DataType.FLOAT)
        .sum(batch, advantages, loss, reference);
    TransformerBackprop fast = TransformerBackprop.of(shape, theta, "test");
    GradientSum actual = fast.sum(batch, advantages, loss, reference);
    assertClose(expected.gradient(), actual.gradient());
    assertEquals(expected.lossSum(), actual.lossSum(),
        TOLERANCE * Math.max(1, Math.abs(expected.lossSum())));
    assertEquals(expected.sequences(), actual.sequences());
    assertEquals(expected.tokens(), actual.tokens());
    // the same engine again on the same batch (its cached forward pass) gives the same sum
    assertEquals(actual, fast.sum(batch, advantages, loss, reference));
  }

  @Test
  void aLargeVocabularyRunsTheHeadInChunksWithTheSameResults() {
    // V 40,000: chunks of 256 loss rows; 11 sequences of up to 30 completion tokens are 2 chunks
    int v = 40_000;
    assertEquals(256, TransformerBackprop.headChunk(v));
    assertEquals(16_384, TransformerBackprop.headChunk(512));
    TransformerShape shape = TransformerShape.llama(v, 1, 8, 2, 1, 12, 64, 10000, 1e-5, true,
        false);
    float[] theta = TinyTransformers.floats(TinyTransformers.parameters(shape, 41, 0.5));
    SplittableRandom random = new SplittableRandom(43);
    List<TrainingSequence> sequences = new ArrayList<>();
    double[] advantages = new double[11];
    int lossRows = 0;
    for (int i = 0; i < 11; i++) {
      int completion = i == 4 ? 7 : 30; // one short row: padding inside the second chunk
      sequences.add(TrainingSequence.of(random.ints(1 + i % 5, 0, v).toArray(),
          random.ints(completion, 0, v).toArray()));
      advantages[i] = random.nextDouble(-1, 1);
      lossRows += completion;
    }
    assertTrue(lossRows > 256 && lossRows < 512, lossRows + " loss rows");
    SequenceBatch batch = new SequenceBatch(sequences);
    TransformerPolicy reference = TransformerPolicy.of(shape, theta, DataType.FLOAT);
    LossSettings loss = new LossSettings(Aggregation.SEQUENCE_MEAN, 0.2, KlEstimator.K3, 0.1);
    double[][] referenceLogProbs = reference.completionLogProbs(batch);
    for (int i = 0; i < referenceLogProbs.length; i++) {
      for (int k = 0; k < referenceLogProbs[i].length; k++) {
        referenceLogProbs[i][k] += 0.05 * Math.sin(i + k); // a reference policy apart from theta
      }
    }
    GradientSum expected = reference.sum(batch, advantages, loss, referenceLogProbs);
    TransformerBackprop fast = TransformerBackprop.of(shape, theta, "test");
    assertClose(expected.gradient(), fast.sum(batch, advantages, loss, referenceLogProbs)
        .gradient());
    double[][] expectedLogProbs = reference.completionLogProbs(batch);
    double[][] actualLogProbs = fast.completionLogProbs(batch);
    for (int i = 0; i < expectedLogProbs.length; i++) {
      assertEquals(expectedLogProbs[i].length, actualLogProbs[i].length);
      for (int k = 0; k < expectedLogProbs[i].length; k++) {
        assertEquals(expectedLogProbs[i][k], actualLogProbs[i][k], TOLERANCE,
            "sequence " + i + ", token " + k);
      }
    }
  }

  @ParameterizedTest
  @CsvSource({"llama-gqa-bias-untied", "llama-tied", "llama-fused", "gpt2"})
  void completionLogProbsEqualTheReferencePath(String name) {
    TransformerShape shape = shape(name);
    float[] theta = TinyTransformers.floats(TinyTransformers.parameters(shape, 29, 0.5));
    SequenceBatch batch = new SequenceBatch(TinyTransformers.sequences(shape.vocabularySize(), 8));
    double[][] expected = TransformerPolicy.of(shape, theta, DataType.FLOAT)
        .completionLogProbs(batch);
    double[][] actual = TransformerBackprop.of(shape, theta, "test").completionLogProbs(batch);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i].length, actual[i].length);
      for (int k = 0; k < expected[i].length; k++) {
        assertEquals(expected[i][k], actual[i][k], TOLERANCE * Math.max(1, Math.abs(expected[i][k])),
            "sequence " + i + " token " + k);
      }
    }
  }

  @Test
  void aLargerBatchOfLongSequencesStillMatches() {
    TransformerShape shape = llamaFused();
    float[] theta = TinyTransformers.floats(TinyTransformers.parameters(shape, 3, 0.3));
    SplittableRandom random = new SplittableRandom(9);
    List<TrainingSequence> sequences = new ArrayList<>();
    double[] advantages = new double[9];
    for (int i = 0; i < advantages.length; i++) {
      int[] prompt = random.ints(1 + random.nextInt(8), 0, shape.vocabularySize()).toArray();
      int[] completion = random.ints(1 + random.nextInt(30), 0, shape.vocabularySize()).toArray();
      sequences.add(TrainingSequence.of(prompt, completion));
      advantages[i] = random.nextDouble() * 2 - 1;
    }
    SequenceBatch batch = new SequenceBatch(sequences);
    assertClose(TransformerPolicy.of(shape, theta, DataType.FLOAT).sum(batch, advantages, null,
        null).gradient(), TransformerBackprop.of(shape, theta, "test").sum(batch, advantages, null,
        null).gradient());
  }

  @Test
  void positionsBeyondTheModelFailClearly() {
    TransformerShape shape = TinyTransformers.gpt2();
    float[] theta = TinyTransformers.floats(TinyTransformers.parameters(shape, 3, 0.3));
    int[] tooLong = new int[shape.maxPositions() + 2];
    SequenceBatch batch = new SequenceBatch(List.of(new TrainingSequence(tooLong, 1)));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TransformerBackprop.of(shape, theta, "test").completionLogProbs(batch));
    assertTrue(e.getMessage().contains(String.valueOf(shape.maxPositions())), e.getMessage());
  }

  static double[][] referenceLogProbs(List<TrainingSequence> sequences) {
    double[][] out = new double[sequences.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = new double[sequences.get(i).completionLength()];
      for (int k = 0; k < out[i].length; k++) {
        out[i][k] = -1.5 - 0.1 * k - 0.05 * i;
      }
    }
    return out;
  }

  /** Norm-wise: max |actual - expected| <= TOLERANCE * max |expected|. */
  static void assertClose(double[] expected, double[] actual) {
    assertEquals(expected.length, actual.length);
    double scale = 0;
    for (double e : expected) {
      scale = Math.max(scale, Math.abs(e));
    }
    assertTrue(scale > 0, "reference gradient is zero");
    double worst = 0;
    int worstAt = -1;
    for (int k = 0; k < expected.length; k++) {
      double err = Math.abs(actual[k] - expected[k]) / scale;
      if (err > worst) {
        worst = err;
        worstAt = k;
      }
    }
    assertTrue(worst <= TOLERANCE, "relative error " + worst + " at parameter " + worstAt
        + ": expected " + (worstAt < 0 ? 0 : expected[worstAt]) + ", got "
        + (worstAt < 0 ? 0 : actual[worstAt]));
  }
}
