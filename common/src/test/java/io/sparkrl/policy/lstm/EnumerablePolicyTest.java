package io.sparkrl.policy.lstm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrl.gradient.*;
import io.sparkrl.policy.PolicySettings;
import io.sparkrl.policy.lstm.LstmFactory;
import io.sparkrl.policy.lstm.LstmKernel;
import io.sparkrl.sampling.*;
import io.sparkrl.sampling.Completion;
import io.sparkrl.sampling.Prompt;
import io.sparkrl.sampling.Sampler;
import io.sparkrl.sampling.SamplingSettings;
import io.sparkrl.tokenizer.Vocabulary;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The derivations of docs/algorithm.md (section 1), checked on a policy small enough to enumerate: vocabulary of 4
 * (token 2 is EOS), completions of at most 3 tokens, so O has 1 + 3 + 36 = 40 members and
 * {@code grad J = sum_o r(o) pi(o) grad log pi(o)} is computed exactly.
 */
class EnumerablePolicyTest {
  static final int VOCAB = 4;
  static final int MAX_TOKENS = 3;
  static final int[] PROMPT = {1, 3};
  static final int SAMPLES = 20_000;
  /** A coordinate of the Monte-Carlo mean may stray this many standard errors from the exact value. */
  static final double Z_TOLERANCE = 5.0;

  static MultiLayerNetwork net;
  static List<int[]> outputs;
  static double[] probability;
  static double[][] score; // grad log pi(o), per output

  @BeforeAll
  static void enumerate() {
    net = LstmFactory.create(new PolicySettings(3, 5, 1, 2024, 256), VOCAB, DataType.DOUBLE);
    outputs = new ArrayList<>();
    for (int a = 0; a < VOCAB; a++) {
      if (a == Vocabulary.EOS) {
        outputs.add(new int[] {a});
        continue;
      }
      for (int b = 0; b < VOCAB; b++) {
        if (b == Vocabulary.EOS) {
          outputs.add(new int[] {a, b});
          continue;
        }
        for (int c = 0; c < VOCAB; c++) {
          outputs.add(new int[] {a, b, c});
        }
      }
    }
    List<TrainingSequence> sequences = new ArrayList<>();
    for (int[] o : outputs) {
      sequences.add(TrainingSequence.of(PROMPT, o));
    }
    SequenceBatch all = new SequenceBatch(sequences);
    double[][] logProbs = LstmBatch.completionLogProbs(net, all);
    probability = new double[outputs.size()];
    score = new double[outputs.size()][];
    for (int i = 0; i < outputs.size(); i++) {
      probability[i] = Math.exp(Arrays.stream(logProbs[i]).sum());
      // gradient of -A log pi with A = -1 is grad log pi
      SequenceBatch one = new SequenceBatch(List.of(sequences.get(i)));
      score[i] = Dl4jGradient.sum(net, one, new double[] {-1}, null, null).gradient();
    }
  }

  /** A reward that depends on the output: tokens 3 count, finishing with EOS earns half. */
  static double reward(int[] o) {
    double r = 0;
    for (int t : o) {
      r += t == 3 ? 1 : 0;
    }
    return r + (o[o.length - 1] == Vocabulary.EOS ? 0.5 : 0);
  }

  static double[] exactGradient(double baseline) {
    double[] g = new double[score[0].length];
    for (int i = 0; i < outputs.size(); i++) {
      double w = probability[i] * (reward(outputs.get(i)) - baseline);
      for (int j = 0; j < g.length; j++) {
        g[j] += w * score[i][j];
      }
    }
    return g;
  }

  @Test
  void outputsFormADistribution() {
    assertEquals(40, outputs.size());
    assertEquals(1.0, Arrays.stream(probability).sum(), 1e-12);
  }

  @Test
  void expectedScoreIsZero() {
    double[] expected = new double[score[0].length];
    double scale = 0;
    for (int i = 0; i < outputs.size(); i++) {
      for (int j = 0; j < expected.length; j++) {
        expected[j] += probability[i] * score[i][j];
        scale += probability[i] * Math.abs(score[i][j]);
      }
    }
    assertTrue(scale > 1e-3, "scores are all zero: nothing tested");
    for (double e : expected) {
      assertEquals(0.0, e, 1e-12 * scale);
    }
  }

  @Test
  void aConstantBaselineLeavesTheExpectedGradientUnchanged() {
    double[] plain = exactGradient(0);
    double[] withBaseline = exactGradient(0.7);
    double norm = Math.sqrt(Arrays.stream(plain).map(x -> x * x).sum());
    assertTrue(norm > 1e-3);
    for (int j = 0; j < plain.length; j++) {
      assertEquals(plain[j], withBaseline[j], 1e-12 * norm);
    }
  }

  @Test
  void reinforceEstimatesAverageToTheExactGradient() {
    double[] exact = exactGradient(0);
    // sample with the production sampler, estimate with the production gradient code
    Sampler sampler = new Sampler(LstmKernel.of(net), new SamplingSettings(SAMPLES, 1.0, 0, 1.0, MAX_TOKENS));
    List<Completion> samples = sampler.sample(List.of(new Prompt(0, PROMPT)), 31, 0);
    List<TrainingSequence> sequences = new ArrayList<>();
    double[] rewards = new double[SAMPLES];
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < SAMPLES; i++) {
      int[] o = samples.get(i).tokens();
      sequences.add(TrainingSequence.of(PROMPT, o));
      rewards[i] = reward(o);
      counts.merge(Arrays.toString(o), 1, Integer::sum);
    }
    assertTrue(counts.size() > 30, "sampler should visit most of the 40 outputs, saw " + counts.size());
    GradientSum sum = Dl4jGradient.sum(net, new SequenceBatch(sequences), rewards, null, null);
    double worstZ = 0;
    for (int j = 0; j < exact.length; j++) {
      double estimate = -sum.gradient()[j] / SAMPLES; // sum holds grad of -sum r log pi
      double standardError = standardError(exact, j);
      if (standardError > 1e-12) {
        worstZ = Math.max(worstZ, Math.abs(estimate - exact[j]) / standardError);
      } else {
        assertEquals(exact[j], estimate, 1e-9);
      }
    }
    assertTrue(worstZ <= Z_TOLERANCE, "a coordinate is " + worstZ + " standard errors off");
    // and the estimate is informative: wrong-sign or zero gradients would be far away
    assertTrue(worstZ < 0.5 * maxZOf(exact, sum), "estimate does not separate from a zero gradient");
  }

  /** Standard error of coordinate j of the mean of SAMPLES REINFORCE estimates, by enumeration. */
  private static double standardError(double[] exact, int j) {
    double secondMoment = 0;
    for (int i = 0; i < outputs.size(); i++) {
      double x = reward(outputs.get(i)) * score[i][j];
      secondMoment += probability[i] * x * x;
    }
    return Math.sqrt(Math.max(0, secondMoment - exact[j] * exact[j]) / SAMPLES);
  }

  /** How many standard errors the zero vector is from the exact gradient (a negative control). */
  private static double maxZOf(double[] exact, GradientSum sum) {
    double worst = 0;
    for (int j = 0; j < exact.length; j++) {
      double se = standardError(exact, j);
      if (se > 1e-12) {
        worst = Math.max(worst, Math.abs(exact[j]) / se);
      }
    }
    return worst;
  }
}
