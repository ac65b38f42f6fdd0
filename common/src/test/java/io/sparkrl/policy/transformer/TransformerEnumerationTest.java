package io.sparkrl.policy.transformer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrl.gradient.SequenceBatch;
import io.sparkrl.gradient.TrainingSequence;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The write-up's derivations on a transformer small enough to enumerate: vocabulary 4, completions
 * of at most 3 tokens ending at EOS (a settable token id), so O has 1 + 3 + 36 = 40 members, pi(o)
 * and grad log pi(o) are computed exactly (the engine's completion log-probs and gradient sum, in
 * DOUBLE), and grad J = sum_o pi(o) r(o) grad log pi(o).
 */
class TransformerEnumerationTest {
  static final int VOCAB = 4;
  static final int MAX_TOKENS = 3;
  static final int[] PROMPT = {1, 3};
  static final double Z_TOLERANCE = 5.0;

  /** A Llama (GQA, biases, untied) with 1 layer: big enough that every tensor matters. */
  static TransformerShape shape() {
    return TransformerShape.llama(VOCAB, 1, 8, 2, 1, 8, 16, 10000, 1e-5, true, false);
  }

  static double[] parameters() {
    return TinyTransformers.parameters(shape(), 2024, 0.6);
  }

  /** pi(o), grad log pi(o) of every output of the tree ending at {@code eos}. */
  record Enumeration(List<int[]> outputs, double[] probability, double[][] score) {}

  static Enumeration enumerate(int eos) {
    List<int[]> outputs = new ArrayList<>();
    for (int a = 0; a < VOCAB; a++) {
      if (a == eos) {
        outputs.add(new int[] {a});
        continue;
      }
      for (int b = 0; b < VOCAB; b++) {
        if (b == eos) {
          outputs.add(new int[] {a, b});
          continue;
        }
        for (int c = 0; c < VOCAB; c++) {
          outputs.add(new int[] {a, b, c});
        }
      }
    }
    TransformerPolicy policy = TransformerPolicy.of(shape(), parameters(), DataType.DOUBLE);
    List<TrainingSequence> sequences = new ArrayList<>();
    for (int[] o : outputs) {
      sequences.add(TrainingSequence.of(PROMPT, o));
    }
    double[][] logProbs =
        policy.completionLogProbs(new SequenceBatch(sequences));
    double[] probability = new double[outputs.size()];
    double[][] score = new double[outputs.size()][];
    for (int i = 0; i < outputs.size(); i++) {
      probability[i] = Math.exp(Arrays.stream(logProbs[i]).sum());
      // the gradient of -A log pi with A = -1 is grad log pi
      score[i] = policy.sum(new SequenceBatch(List.of(sequences.get(i))),
          new double[] {-1}, null, null).gradient();
    }
    return new Enumeration(outputs, probability, score);
  }

  /** Tokens 3 count one each; ending with EOS earns a half. */
  static double reward(int[] o, int eos) {
    double r = 0;
    for (int t : o) {
      r += t == 3 ? 1 : 0;
    }
    return r + (o[o.length - 1] == eos ? 0.5 : 0);
  }

  @ParameterizedTest(name = "EOS = {0}")
  @ValueSource(ints = {0, 2, 3})
  void expectedScoreIsZero(int eos) {
    Enumeration e = enumerate(eos);
    assertEquals(40, e.outputs().size());
    assertEquals(1.0, Arrays.stream(e.probability()).sum(), 1e-12);
    int n = e.score()[0].length;
    double[] expected = new double[n];
    double scale = 0;
    for (int i = 0; i < e.outputs().size(); i++) {
      for (int j = 0; j < n; j++) {
        expected[j] += e.probability()[i] * e.score()[i][j];
        scale += e.probability()[i] * Math.abs(e.score()[i][j]);
      }
    }
    assertTrue(scale > 1e-2, "scores are all zero: nothing tested");
    for (int j = 0; j < n; j++) {
      assertEquals(0.0, expected[j], 1e-12 * scale, "parameter " + j);
    }
    // and a non-constant reward has a non-zero expected gradient (the identity is not vacuous)
    double norm = 0;
    for (double g : exactGradient(e, eos)) {
      norm = Math.max(norm, Math.abs(g));
    }
    assertTrue(norm > 1e-3, "grad J is zero");
  }

  static double[] exactGradient(Enumeration e, int eos) {
    double[] g = new double[e.score()[0].length];
    for (int i = 0; i < e.outputs().size(); i++) {
      double w = e.probability()[i] * reward(e.outputs().get(i), eos);
      for (int j = 0; j < g.length; j++) {
        g[j] += w * e.score()[i][j];
      }
    }
    return g;
  }

  /**
   * Completions drawn by the production {@link Sampler} over the KV-cached stepper (EOS =
   * {@link Vocabulary#EOS}); the REINFORCE estimate {@code mean_n r(o_n) grad log pi(o_n)} (each
   * sample's term being the engine's gradient, grouped by distinct output) converges to the exact
   * grad J: within a few standard errors at 16000 samples, and its error shrinks from 1000 to 16000.
   */
  @Test
  void reinforceEstimatesConvergeToTheExactGradient() {
    int eos = Vocabulary.EOS;
    Enumeration e = enumerate(eos);
    double[] exact = exactGradient(e, eos);
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < e.outputs().size(); i++) {
      index.put(Arrays.toString(e.outputs().get(i)), i);
    }
    int samples = 16_000;
    TransformerPolicy policy = TransformerPolicy.of(shape(), TinyTransformers.floats(parameters()),
        DataType.FLOAT);
    // the engine's float parameters equal the double ones only to float rounding: the sampler's
    // distribution is the enumerated one to ~1e-7, far below the Monte-Carlo error
    List<Completion> drawn = new Sampler(policy.stepper(MAX_TOKENS),
        new SamplingSettings(samples, 1.0, 0, 1.0, MAX_TOKENS)).sample(
            List.of(new Prompt(0, PROMPT)), 31, 0);
    double[] errors = new double[2];
    int[] sizes = {1000, samples};
    double worstZ = 0;
    double zeroZ = 0;
    for (int s = 0; s < sizes.length; s++) {
      int n = sizes[s];
      double[] counts = new double[e.outputs().size()];
      for (int k = 0; k < n; k++) {
        counts[index.get(Arrays.toString(drawn.get(k).tokens()))]++;
      }
      for (int j = 0; j < exact.length; j++) {
        double estimate = 0;
        double secondMoment = 0;
        for (int i = 0; i < counts.length; i++) {
          double x = reward(e.outputs().get(i), eos) * e.score()[i][j];
          estimate += counts[i] / n * x;
          secondMoment += e.probability()[i] * x * x;
        }
        double standardError = Math.sqrt(Math.max(0, secondMoment - exact[j] * exact[j]) / n);
        errors[s] += (estimate - exact[j]) * (estimate - exact[j]);
        if (n == samples && standardError > 1e-12) {
          worstZ = Math.max(worstZ, Math.abs(estimate - exact[j]) / standardError);
          zeroZ = Math.max(zeroZ, Math.abs(exact[j]) / standardError);
        }
      }
    }
    assertTrue(worstZ <= Z_TOLERANCE, "a coordinate is " + worstZ + " standard errors off");
    assertTrue(zeroZ > 2 * Z_TOLERANCE, "the exact gradient is within noise of zero: " + zeroZ);
    assertTrue(Math.sqrt(errors[1]) < 0.5 * Math.sqrt(errors[0]), "error did not shrink: "
        + Math.sqrt(errors[0]) + " at 1000 samples, " + Math.sqrt(errors[1]) + " at " + samples);
  }
}
