package io.sparkrl.policy.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Batching changes nothing: a row's log-probs and gradient are the same alone and in a padded
 * batch (with a one-token row and a row without completion tokens among its mates), batch sums
 * are the sums of their rows', and several gradients of one batch share a forward pass correctly.
 */
class TransformerBatchTest {
  static List<TrainingSequence> sequences(int vocabulary) {
    List<TrainingSequence> out = new ArrayList<>(TinyTransformers.sequences(vocabulary, 8));
    out.add(new TrainingSequence(new int[] {3}, 1)); // one token, no completion
    out.add(new TrainingSequence(new int[] {1, 2, 0}, 3)); // prompt only
    out.add(new TrainingSequence(new int[] {4, 5}, 1)); // one completion token
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"llama-gqa-bias-untied", "llama-tied", "gpt2"})
  void aRowIsTheSameAloneOrInAPaddedBatch(String name) {
    TransformerShape shape = TinyTransformers.named(name);
    TransformerPolicy policy = TransformerPolicy.of(shape,
        TinyTransformers.parameters(shape, 31, 0.4), DataType.DOUBLE);
    List<TrainingSequence> sequences = sequences(shape.vocabularySize());
    SequenceBatch batch = new SequenceBatch(sequences);
    double[] advantages = {0.5, -1, 2, 0.3, 1, -0.4, 0.8};
    double[][] reference = TransformerGradientTest.referenceLogProbs(sequences);
    LossSettings loss = new LossSettings(Aggregation.TOKEN_MEAN, 0.2, KlEstimator.K3, 0.1);

    double[][] together = policy.completionLogProbs(batch);
    GradientSum whole = policy.sum(batch, advantages, loss, reference);
    GradientSum parts = GradientSum.zero(whole.gradient().length);
    for (int i = 0; i < sequences.size(); i++) {
      SequenceBatch one = new SequenceBatch(List.of(sequences.get(i)));
      double[][] alone = policy.completionLogProbs(one);
      assertEquals(together[i].length, alone[0].length);
      for (int k = 0; k < alone[0].length; k++) {
        assertEquals(alone[0][k], together[i][k], 1e-12, "row " + i + " token " + k);
      }
      parts = parts.plus(policy.sum(one, new double[] {advantages[i]}, loss,
          new double[][] {reference[i]}));
    }
    double scale = 0;
    for (int k = 0; k < whole.gradient().length; k++) {
      assertTrue(Double.isFinite(whole.gradient()[k]), "non-finite gradient at " + k);
      scale = Math.max(scale, Math.abs(whole.gradient()[k]));
    }
    assertTrue(scale > 1e-3);
    for (int k = 0; k < whole.gradient().length; k++) {
      assertEquals(parts.gradient()[k], whole.gradient()[k], 1e-11 * scale, "parameter " + k);
    }
    assertEquals(parts.lossSum(), whole.lossSum(), 1e-11 * Math.abs(whole.lossSum()));
    assertEquals(sequences.size(), whole.sequences());
    assertEquals(parts.tokens(), whole.tokens());
    assertEquals(4 + 2 + 1 + 6 + 0 + 0 + 1, whole.tokens());
  }

  @ParameterizedTest
  @ValueSource(strings = {"llama-tied", "gpt2"})
  void repeatedSumsOnOneBatchEqualFreshEngines(String name) {
    TransformerShape shape = TinyTransformers.named(name);
    float[] theta = TinyTransformers.floats(TinyTransformers.parameters(shape, 3, 0.3));
    List<TrainingSequence> sequences = TinyTransformers.sequences(shape.vocabularySize(), 2);
    SequenceBatch batch = new SequenceBatch(sequences);
    TransformerPolicy shared = TransformerPolicy.of(shape, theta, DataType.FLOAT);
    shared.completionLogProbs(batch);
    for (double[] advantages : new double[][] {{1, -1, 0.5, 2}, {1, 1, 1, 1}, {0, 0, 0, 0}}) {
      LossSettings loss = new LossSettings(Aggregation.TOKEN_MEAN, 0, KlEstimator.K1, 0.1);
      GradientSum fresh = TransformerPolicy.of(shape, theta, DataType.FLOAT)
          .sum(batch, advantages, loss, null);
      assertArrayEquals(fresh.gradient(), shared.sum(batch, advantages, loss, null).gradient(),
          0.0);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"llama-tied", "gpt2"})
  void badInputsAreNamed(String name) {
    TransformerShape shape = TinyTransformers.named(name);
    TransformerPolicy policy = TransformerPolicy.of(shape,
        TransformerInit.parameters(shape, 1), DataType.FLOAT);
    SequenceBatch batch = new SequenceBatch(TinyTransformers.sequences(shape.vocabularySize(), 2));
    assertThrows(IllegalArgumentException.class,
        () -> policy.sum(batch, new double[] {1}, null, null));
    assertThrows(IllegalArgumentException.class, () -> policy.sum(batch, new double[4],
        new LossSettings(Aggregation.TOKEN_MEAN, 0.1, KlEstimator.K1, 0), null));
    IllegalArgumentException token = assertThrows(IllegalArgumentException.class,
        () -> policy.completionLogProbs(new SequenceBatch(List.of(new TrainingSequence(
            new int[] {1, shape.vocabularySize(), 0}, 1)))));
    assertTrue(token.getMessage().contains("token " + shape.vocabularySize()), token.getMessage());
    IllegalArgumentException length = assertThrows(IllegalArgumentException.class,
        () -> policy.completionLogProbs(new SequenceBatch(List.of(new TrainingSequence(
            new int[shape.maxPositions() + 2], 1)))));
    assertTrue(length.getMessage().contains("position " + shape.maxPositions()),
        length.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> TransformerPolicy.of(shape, new float[3], DataType.FLOAT));
  }
}
