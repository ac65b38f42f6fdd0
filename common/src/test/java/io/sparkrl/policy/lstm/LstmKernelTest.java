package io.sparkrl.policy.lstm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrl.gradient.SequenceBatch;
import io.sparkrl.gradient.TrainingSequence;
import io.sparkrl.policy.PolicySettings;
import io.sparkrl.sampling.Completion;
import io.sparkrl.sampling.Prompt;
import io.sparkrl.sampling.Sampler;
import io.sparkrl.sampling.SamplingSettings;
import io.sparkrl.sampling.TokenStepper;
import io.sparkrl.tokenizer.UnknownCharacterMode;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The CPU kernel's batched products keep every row's floats independent of its batch-mates: a
 * batch of 64 rows (full and partial row blocks, in shuffled order, with rows dropping out) gives
 * bit for bit the logits and completions of each row stepped alone. Sizes are odd (embedding 13,
 * hidden 21: gate width 84, k not a multiple of 4) so the remainder loops are covered.
 */
class LstmKernelTest {
  static MultiLayerNetwork policy(int layers) {
    return LstmFactory.create(new PolicySettings(13, 21, layers, 70 + layers, 256),
        SamplerTest.VOCAB.size(), DataType.FLOAT);
  }

  @ParameterizedTest(name = "{0} LSTM layer(s)")
  @CsvSource({"1", "2", "3"})
  void logitsOfABatchOf64EqualEachRowAloneBitForBit(int layers) {
    LstmKernel kernel = LstmKernel.of(policy(layers));
    int v = kernel.vocabularySize();
    int b = 64;
    int steps = 12;
    SplittableRandom random = new SplittableRandom(5);
    int[][] tokens = new int[b][steps];
    for (int[] row : tokens) {
      for (int t = 0; t < steps; t++) {
        row[t] = random.nextInt(v);
      }
    }
    // each row alone, in its own batch of one
    float[][][] alone = new float[b][steps][v];
    for (int r = 0; r < b; r++) {
      TokenStepper.Rows rows = kernel.start(1);
      for (int t = 0; t < steps; t++) {
        rows.step(1, new int[] {0}, new int[] {tokens[r][t]}, alone[r][t]);
      }
    }
    // all rows together: shuffled order each step, and row r stops after 12 - r % 5 steps
    TokenStepper.Rows batch = kernel.start(b);
    float[] logits = new float[b * v];
    int compared = 0;
    for (int t = 0; t < steps; t++) {
      int[] live = new int[b];
      int n = 0;
      for (int r = 0; r < b; r++) {
        if (t < steps - r % 5) {
          live[n++] = r;
        }
      }
      for (int i = n - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        int swap = live[i];
        live[i] = live[j];
        live[j] = swap;
      }
      int[] fed = new int[n];
      for (int i = 0; i < n; i++) {
        fed[i] = tokens[live[i]][t];
      }
      batch.step(n, live, fed, logits);
      for (int i = 0; i < n; i++) {
        float[] got = java.util.Arrays.copyOfRange(logits, i * v, (i + 1) * v);
        assertArrayEquals(bits(alone[live[i]][t]), bits(got), "row " + live[i] + " step " + t);
        compared++;
      }
    }
    assertTrue(compared > b * (steps - 3));
  }

  @ParameterizedTest(name = "{0} LSTM layer(s)")
  @CsvSource({"1", "2"})
  void completionsOfABatchOf64EqualEachSampledAlone(int layers) {
    MultiLayerNetwork net = policy(layers);
    Sampler sampler = new Sampler(LstmKernel.of(net), new SamplingSettings(1, 1.0, 0, 1.0, 12));
    List<Prompt> prompts = new ArrayList<>();
    for (int p = 0; p < 64; p++) {
      String text = "How much is " + (p * 7 % 100) + "+" + (p % 13) + "?";
      prompts.add(new Prompt(2000 + p, SamplerTest.VOCAB.encodePrompt(text.substring(0,
          12 + p % (text.length() - 11)), UnknownCharacterMode.ERROR)));
    }
    List<Completion> batch = sampler.sample(prompts, 9, 2);
    assertEquals(64, batch.size());
    List<TrainingSequence> sequences = new ArrayList<>();
    for (int p = 0; p < 64; p++) {
      Completion a = sampler.sample(List.of(prompts.get(p)), 9, 2).get(0);
      Completion c = batch.get(p);
      assertArrayEquals(a.tokens(), c.tokens(), "prompt " + p);
      assertArrayEquals(bits(a.logProbs()), bits(c.logProbs()), "prompt " + p);
      sequences.add(TrainingSequence.of(prompts.get(p).tokens(), c.tokens()));
    }
    // and the batch still agrees with DL4J's forward pass
    double[][] forward = LstmBatch.completionLogProbs(net, new SequenceBatch(sequences));
    double worst = 0;
    for (int p = 0; p < 64; p++) {
      float[] recorded = batch.get(p).logProbs();
      for (int k = 0; k < recorded.length; k++) {
        worst = Math.max(worst, Math.abs(forward[p][k] - recorded[k]));
      }
    }
    assertTrue(worst <= 1e-5, "max |log-prob difference| " + worst);
  }

  @ParameterizedTest(name = "{0} LSTM layer(s)")
  @CsvSource({"1", "2"})
  void sharedPrefixPrefillEqualsFeedingEachPromptOnItsOwnRow(int layers) {
    LstmKernel kernel = LstmKernel.of(policy(layers));
    // the interface's default prefill: every prompt on its own row
    TokenStepper plain = new TokenStepper() {
      @Override
      public int vocabularySize() {
        return kernel.vocabularySize();
      }

      @Override
      public Rows start(int capacity) {
        return kernel.start(capacity);
      }
    };
    String[] texts = {"How much is 12+7?", "How much is 12+70?", "How much is 1", "How much is 3+4?",
        "How much is 12+7?", "1+1?", "H", "How much is 12+7"};
    List<int[]> prompts = new ArrayList<>();
    for (String t : texts) {
      prompts.add(SamplerTest.VOCAB.encodePrompt(t, UnknownCharacterMode.ERROR));
    }
    int v = kernel.vocabularySize();
    int b = texts.length;
    float[] shared = new float[b * v];
    float[] own = new float[b * v];
    TokenStepper.Rows a = kernel.prefill(prompts, shared);
    TokenStepper.Rows c = plain.prefill(prompts, own);
    assertArrayEquals(bits(own), bits(shared));
    // and the states: one more token on every row (expanded, as the sampler does)
    int[] sources = {7, 0, 1, 2, 3, 4, 5, 6, 0};
    TokenStepper.Rows ae = a.expand(sources);
    TokenStepper.Rows ce = c.expand(sources);
    int[] rows = {0, 1, 2, 3, 4, 5, 6, 7, 8};
    int[] tokens = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    float[] la = new float[sources.length * v];
    float[] lc = new float[sources.length * v];
    ae.step(sources.length, rows, tokens, la);
    ce.step(sources.length, rows, tokens, lc);
    assertArrayEquals(bits(lc), bits(la));
  }

  private static int[] bits(float[] f) {
    int[] out = new int[f.length];
    for (int i = 0; i < f.length; i++) {
      out[i] = Float.floatToRawIntBits(f[i]);
    }
    return out;
  }
}
