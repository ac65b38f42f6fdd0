package io.sparkrl.policy.lstm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrl.gradient.SequenceBatch;
import io.sparkrl.gradient.TrainingSequence;
import io.sparkrl.policy.PolicySettings;
import io.sparkrl.policy.lstm.LstmBatch;
import io.sparkrl.policy.lstm.LstmFactory;
import io.sparkrl.sampling.*;
import io.sparkrl.tokenizer.UnknownCharacterMode;
import io.sparkrl.tokenizer.Vocabulary;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class SamplerTest {
  static final Vocabulary VOCAB = Vocabulary.ofCharacters("0123456789+? Hhowmuchis.Tanswer");
  static MultiLayerNetwork net;
  static LstmKernel kernel;

  @BeforeAll
  static void policy() {
    net = LstmFactory.create(new PolicySettings(16, 24, 2, 42, 256), VOCAB.size(), DataType.FLOAT);
    kernel = LstmKernel.of(net);
  }

  static List<Prompt> prompts() {
    String[] texts = {"How much is 12+7?", "How much is 3+4?", "How much is 100+99?", "1+1?"};
    List<Prompt> out = new ArrayList<>();
    for (int i = 0; i < texts.length; i++) {
      out.add(new Prompt(1000 + i, VOCAB.encodePrompt(texts[i], UnknownCharacterMode.ERROR)));
    }
    return out;
  }

  static SamplingSettings settings(int g, double temperature, int topK, double topP) {
    return new SamplingSettings(g, temperature, topK, topP, 12);
  }

  @Test
  void completionIsTheSameAloneOrInABatch() {
    Sampler sampler = new Sampler(kernel, settings(3, 1.0, 0, 1.0));
    List<Prompt> all = prompts();
    List<Completion> batch = sampler.sample(all, 7, 3);
    assertEquals(12, batch.size());
    for (int p = 0; p < all.size(); p++) {
      List<Completion> alone = sampler.sample(List.of(all.get(p)), 7, 3);
      for (int j = 0; j < 3; j++) {
        Completion a = alone.get(j);
        Completion b = batch.get(p * 3 + j);
        assertEquals(b.promptId(), a.promptId());
        assertEquals(j, b.sampleIndex());
        assertArrayEquals(b.tokens(), a.tokens(), "prompt " + p + " sample " + j);
        assertArrayEquals(b.logProbs(), a.logProbs());
      }
    }
    // and in another order, with a different batch-mate set
    List<Completion> reordered = sampler.sample(List.of(all.get(3), all.get(1)), 7, 3);
    assertArrayEquals(batch.get(3 * 3 + 1).tokens(), reordered.get(1).tokens());
    assertArrayEquals(batch.get(1 * 3 + 2).tokens(), reordered.get(3 + 2).tokens());
  }

  @Test
  void randomnessDependsOnSeedStepAndSampleIndex() {
    Sampler sampler = new Sampler(kernel, settings(4, 1.0, 0, 1.0));
    List<Prompt> one = List.of(prompts().get(0));
    List<Completion> a = sampler.sample(one, 7, 3);
    assertNotEquals(render(a), render(sampler.sample(one, 8, 3)));
    assertNotEquals(render(a), render(sampler.sample(one, 7, 4)));
    assertEquals(render(a), render(sampler.sample(one, 7, 3)));
    assertTrue(a.stream().map(c -> VOCAB.decode(c.tokens())).distinct().count() > 1,
        "G samples of one prompt should differ");
  }

  @Test
  void recordedLogProbsEqualAFullForwardPass() {
    Sampler sampler = new Sampler(kernel, settings(3, 1.0, 0, 1.0));
    List<Prompt> all = prompts();
    List<Completion> completions = sampler.sample(all, 11, 0);
    List<TrainingSequence> sequences = new ArrayList<>();
    for (Completion c : completions) {
      sequences.add(TrainingSequence.of(all.get((int) (c.promptId() - 1000)).tokens(), c.tokens()));
    }
    double[][] forward = LstmBatch.completionLogProbs(net, new SequenceBatch(sequences));
    double worst = 0;
    for (int i = 0; i < completions.size(); i++) {
      float[] recorded = completions.get(i).logProbs();
      assertEquals(forward[i].length, recorded.length);
      for (int k = 0; k < recorded.length; k++) {
        worst = Math.max(worst, Math.abs(forward[i][k] - recorded[k]));
      }
    }
    assertTrue(worst <= 1e-5, "max |log-prob difference| " + worst);
  }

  @Test
  void greedyPicksTheMostLikelyTokenEveryTime() {
    Sampler greedy = new Sampler(kernel, SamplingSettings.greedy(12));
    List<Prompt> all = prompts();
    List<Completion> out = greedy.sample(all, 1, 1);
    assertEquals(all.size(), out.size());
    INDArray probs = forwardProbabilities(all, out);
    for (int i = 0; i < out.size(); i++) {
      int promptLength = all.get(i).tokens().length;
      int[] tokens = out.get(i).tokens();
      for (int k = 0; k < tokens.length; k++) {
        int t = promptLength - 1 + k;
        int best = probs.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i),
            org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(t))
            .argMax().getInt(0);
        assertEquals(best, tokens[k], "row " + i + " token " + k);
      }
    }
    assertEquals(render(out), render(greedy.sample(all, 99, 5)), "greedy ignores seed and step");
  }

  @Test
  void topKKeepsOnlyTheKMostLikelyTokens() {
    Sampler sampler = new Sampler(kernel, settings(8, 1.5, 2, 1.0));
    List<Prompt> all = prompts();
    List<Completion> out = sampler.sample(all, 5, 2);
    INDArray probs = forwardProbabilities(all, out);
    for (int i = 0; i < out.size(); i++) {
      int promptLength = all.get(i / 8).tokens().length;
      int[] tokens = out.get(i).tokens();
      for (int k = 0; k < tokens.length; k++) {
        assertTrue(rank(probs, i, promptLength - 1 + k, tokens[k]) < 2, "row " + i + " token " + k);
      }
    }
  }

  @Test
  void topPKeepsTheSmallestNucleus() {
    double p = 0.3;
    Sampler sampler = new Sampler(kernel, settings(8, 1.0, 0, p));
    List<Prompt> all = prompts();
    List<Completion> out = sampler.sample(all, 5, 2);
    INDArray probs = forwardProbabilities(all, out);
    for (int i = 0; i < out.size(); i++) {
      int promptLength = all.get(i / 8).tokens().length;
      int[] tokens = out.get(i).tokens();
      for (int k = 0; k < tokens.length; k++) {
        int t = promptLength - 1 + k;
        double above = 0; // probability of tokens ranked strictly above the sampled one
        double mine = probs.getDouble(i, tokens[k], t);
        for (int j = 0; j < VOCAB.size(); j++) {
          if (probs.getDouble(i, j, t) > mine) {
            above += probs.getDouble(i, j, t);
          }
        }
        assertTrue(above < p + 1e-4, "row " + i + " token " + k + " is outside the nucleus");
      }
    }
  }

  @Test
  void stopsAtEosOrMaxNewTokens() {
    Sampler sampler = new Sampler(kernel, new SamplingSettings(16, 3.0, 0, 1.0, 5));
    for (Completion c : sampler.sample(prompts(), 2, 9)) {
      assertTrue(c.tokens().length <= 5);
      int eos = indexOf(c.tokens(), Vocabulary.EOS);
      if (c.finished()) {
        assertEquals(c.tokens().length - 1, eos);
      } else {
        assertEquals(-1, eos);
        assertEquals(5, c.tokens().length);
      }
      assertEquals(c.tokens().length, c.logProbs().length);
    }
  }

  private static INDArray forwardProbabilities(List<Prompt> prompts, List<Completion> out) {
    int g = out.size() / prompts.size();
    List<TrainingSequence> seqs = new ArrayList<>();
    for (int i = 0; i < out.size(); i++) {
      seqs.add(TrainingSequence.of(prompts.get(i / g).tokens(), out.get(i).tokens()));
    }
    return net.output(LstmBatch.features(new SequenceBatch(seqs), DataType.FLOAT), false);
  }

  private static int rank(INDArray probs, int row, int t, int token) {
    double mine = probs.getDouble(row, token, t);
    int rank = 0;
    for (int j = 0; j < VOCAB.size(); j++) {
      if (probs.getDouble(row, j, t) > mine + 1e-7) {
        rank++;
      }
    }
    return rank;
  }

  private static int indexOf(int[] a, int x) {
    for (int i = 0; i < a.length; i++) {
      if (a[i] == x) {
        return i;
      }
    }
    return -1;
  }

  private static String render(List<Completion> cs) {
    StringBuilder sb = new StringBuilder();
    for (Completion c : cs) {
      sb.append(java.util.Arrays.toString(c.tokens())).append('|');
    }
    return sb.toString();
  }
}
