package io.sparkrl.job.executor;

import io.sparkrl.gradient.ReinforceLoss;
import io.sparkrl.job.corpus.CorpusRow;
import io.sparkrl.tokenizer.UnknownCharacterMode;
import io.sparkrl.tokenizer.Vocabulary;
import org.apache.spark.api.java.function.Function;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A supervised example for the warm start: {@code BOS prompt SEP completion EOS}, with
 * {@link ReinforceLoss} labels whose advantage is 1 on every completion position, so the loss is
 * the negative log-likelihood of the reference completion (prompt positions score nothing).
 * Every example is padded to the same length T, so DL4J merges minibatches without masks.
 *
 * <p>Shapes: features (1, 1, T); labels (1, {@link ReinforceLoss#CHANNELS}, T).
 */
public final class SftExample implements Function<CorpusRow, DataSet> {
  private final Vocabulary vocabulary;
  private final UnknownCharacterMode unknown;
  private final int length;

  public SftExample(Vocabulary vocabulary, UnknownCharacterMode unknown, int length) {
    this.vocabulary = vocabulary;
    this.unknown = unknown;
    this.length = length;
  }

  /** Tokens of the row's full sequence. */
  public static int[] tokens(Vocabulary vocabulary, UnknownCharacterMode unknown, CorpusRow row) {
    int[] prompt = vocabulary.encodePrompt(row.prompt(), unknown);
    int[] completion = vocabulary.encode(row.completion(), unknown);
    int[] all = new int[prompt.length + completion.length + 1];
    System.arraycopy(prompt, 0, all, 0, prompt.length);
    System.arraycopy(completion, 0, all, prompt.length, completion.length);
    all[all.length - 1] = Vocabulary.EOS;
    return all;
  }

  @Override
  public DataSet call(CorpusRow row) {
    int[] tokens = tokens(vocabulary, unknown, row);
    int promptLength = vocabulary.encodePrompt(row.prompt(), unknown).length;
    INDArray features = Nd4j.zeros(DataType.FLOAT, 1, 1, length);
    INDArray labels = Nd4j.zeros(DataType.FLOAT, 1, ReinforceLoss.CHANNELS, length);
    for (int t = 0; t < tokens.length - 1; t++) {
      features.putScalar(0, 0, t, tokens[t]);
      if (t + 1 >= promptLength) {
        labels.putScalar(0, ReinforceLoss.TARGET, t, tokens[t + 1]);
        labels.putScalar(0, ReinforceLoss.ADVANTAGE, t, 1.0);
      }
    }
    return new DataSet(features, labels);
  }
}
