package io.sparkrl.policy.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrl.gradient.SequenceBatch;
import io.sparkrl.gradient.TrainingSequence;
import io.sparkrl.sampling.Completion;
import io.sparkrl.sampling.Prompt;
import io.sparkrl.sampling.Sampler;
import io.sparkrl.sampling.SamplingSettings;
import io.sparkrl.sampling.TokenStepper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The KV-cached {@link TransformerStepper} through the production {@link Sampler}: recorded
 * log-probs equal a full forward pass, cached sampling equals recomputing every sequence from
 * scratch each step, a prompt's completions do not depend on its batch-mates, and the draws are a
 * function of (seed, step, prompt id, sample index).
 */
class TransformerSamplingTest {
  static final int MAX_NEW = 8;

  static TransformerPolicy policy(String name) {
    TransformerShape shape = TinyTransformers.named(name);
    return TransformerPolicy.of(shape,
        TinyTransformers.floats(TinyTransformers.parameters(shape, 23, 0.5)), DataType.FLOAT);
  }

  static List<Prompt> prompts() {
    return List.of(new Prompt(100, new int[] {1, 4, 3}), new Prompt(101, new int[] {0}),
        new Prompt(102, new int[] {5, 5, 1, 0, 3, 4}), new Prompt(103, new int[] {3, 1}));
  }

  static SamplingSettings settings() {
    return new SamplingSettings(3, 1.0, 0, 1.0, MAX_NEW);
  }

  @ParameterizedTest
  @ValueSource(strings = {"llama-gqa-bias-untied", "llama-tied", "gpt2"})
  void recordedLogProbsEqualAFullForwardPass(String name) {
    TransformerPolicy policy = policy(name);
    List<Prompt> all = prompts();
    List<Completion> completions =
        new Sampler(policy.stepper(MAX_NEW), settings()).sample(all, 11, 0);
    List<TrainingSequence> sequences = new ArrayList<>();
    for (Completion c : completions) {
      sequences.add(TrainingSequence.of(all.get((int) (c.promptId() - 100)).tokens(), c.tokens()));
    }
    double[][] forward =
        policy.completionLogProbs(new SequenceBatch(sequences));
    double worst = 0;
    int tokens = 0;
    for (int i = 0; i < completions.size(); i++) {
      float[] recorded = completions.get(i).logProbs();
      assertEquals(forward[i].length, recorded.length);
      for (int k = 0; k < recorded.length; k++) {
        worst = Math.max(worst, Math.abs(forward[i][k] - recorded[k]));
        tokens++;
      }
    }
    assertTrue(tokens > completions.size(), "completions too short to test the cache");
    assertTrue(worst <= 1e-5, "max |log-prob difference| " + worst);
  }

  @ParameterizedTest
  @ValueSource(strings = {"llama-gqa-bias-untied", "llama-tied", "gpt2"})
  void cachedSamplingEqualsRecomputingEverySequence(String name) {
    TransformerPolicy policy = policy(name);
    List<Completion> cached = new Sampler(policy.stepper(MAX_NEW), settings())
        .sample(prompts(), 5, 2);
    List<Completion> uncached = new Sampler(new RecomputingStepper(policy), settings())
        .sample(prompts(), 5, 2);
    assertEquals(render(uncached), render(cached));
    for (int i = 0; i < cached.size(); i++) {
      float[] a = cached.get(i).logProbs();
      float[] b = uncached.get(i).logProbs();
      for (int k = 0; k < a.length; k++) {
        assertEquals(b[k], a[k], 1e-5, "completion " + i + " token " + k);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"llama-gqa-bias-untied", "gpt2"})
  void completionIsTheSameAloneOrInABatch(String name) {
    Sampler sampler = new Sampler(policy(name).stepper(MAX_NEW), settings());
    List<Prompt> all = prompts();
    List<Completion> batch = sampler.sample(all, 7, 3);
    for (int p = 0; p < all.size(); p++) {
      List<Completion> alone = sampler.sample(List.of(all.get(p)), 7, 3);
      for (int j = 0; j < 3; j++) {
        Completion a = alone.get(j);
        Completion b = batch.get(p * 3 + j);
        assertArrayEquals(b.tokens(), a.tokens(), "prompt " + p + " sample " + j);
        for (int k = 0; k < a.logProbs().length; k++) {
          assertEquals(b.logProbs()[k], a.logProbs()[k], 1e-5);
        }
      }
    }
    List<Completion> reordered = sampler.sample(List.of(all.get(3), all.get(1)), 7, 3);
    assertArrayEquals(batch.get(3 * 3 + 1).tokens(), reordered.get(1).tokens());
    assertArrayEquals(batch.get(1 * 3 + 2).tokens(), reordered.get(3 + 2).tokens());
  }

  @ParameterizedTest
  @ValueSource(strings = {"llama-tied", "gpt2"})
  void drawsDependOnSeedStepPromptAndSampleIndexOnly(String name) {
    TransformerPolicy policy = policy(name);
    Sampler sampler = new Sampler(policy.stepper(MAX_NEW), settings());
    List<Prompt> one = List.of(prompts().get(0));
    String a = render(sampler.sample(one, 7, 3));
    assertEquals(a, render(new Sampler(policy.stepper(MAX_NEW), settings()).sample(one, 7, 3)));
    assertNotEquals(a, render(sampler.sample(one, 8, 3)));
    assertNotEquals(a, render(sampler.sample(one, 7, 4)));
    List<Completion> g = sampler.sample(one, 7, 3);
    assertTrue(g.stream().map(c -> Arrays.toString(c.tokens())).distinct().count() > 1,
        "a prompt's samples should differ");
  }

  @ParameterizedTest
  @ValueSource(strings = {"llama-tied", "gpt2"})
  void positionsBeyondTheModelFailClearly(String name) {
    TransformerPolicy policy = policy(name);
    int max = policy.shape().maxPositions();
    TokenStepper stepper = policy.stepper(4);
    float[] logits = new float[policy.shape().vocabularySize()];
    IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
        () -> stepper.prefill(List.of(new int[max + 1]), logits));
    assertTrue(tooLong.getMessage().contains(String.valueOf(max)), tooLong.getMessage());
    TokenStepper.Rows rows = stepper.prefill(List.of(new int[max]), logits);
    IllegalArgumentException beyond = assertThrows(IllegalArgumentException.class,
        () -> rows.step(1, new int[] {0}, new int[] {1}, logits));
    assertTrue(beyond.getMessage().contains("position " + max), beyond.getMessage());
  }

  /**
   * Rows started empty and fed token by token (the interface's default prefill, outgrowing the
   * initial cache of maxNewTokens positions) give the batched prefill's logits.
   */
  @ParameterizedTest
  @ValueSource(strings = {"llama-gqa-bias-untied", "gpt2"})
  void stepwisePromptFeedingEqualsTheBatchedPrefill(String name) {
    TransformerPolicy policy = policy(name);
    TransformerStepper stepper = policy.stepper(2);
    List<int[]> prompts = new ArrayList<>();
    for (Prompt p : prompts()) {
      prompts.add(p.tokens());
    }
    int v = policy.shape().vocabularySize();
    float[] batched = new float[prompts.size() * v];
    stepper.prefill(prompts, batched);
    TokenStepper plain = new TokenStepper() { // the interface's default prefill over start/step
      @Override
      public int vocabularySize() {
        return stepper.vocabularySize();
      }

      @Override
      public Rows start(int capacity) {
        return stepper.start(capacity);
      }
    };
    float[] stepwise = new float[prompts.size() * v];
    plain.prefill(prompts, stepwise);
    double worst = 0;
    for (int j = 0; j < batched.length; j++) {
      worst = Math.max(worst, Math.abs(batched[j] - stepwise[j]));
    }
    assertTrue(worst <= 1e-5, "max |logit difference| " + worst);
  }

  static String render(List<Completion> completions) {
    StringBuilder s = new StringBuilder();
    for (Completion c : completions) {
      s.append(c.promptId()).append('/').append(c.sampleIndex()).append(Arrays.toString(c.tokens()))
          .append(c.finished() ? "." : "~").append('\n');
    }
    return s.toString();
  }

  /** No cache: every step runs each listed row's whole sequence through a fresh forward pass. */
  static final class RecomputingStepper implements TokenStepper {
    private final TransformerPolicy policy;

    RecomputingStepper(TransformerPolicy policy) {
      this.policy = policy;
    }

    @Override
    public int vocabularySize() {
      return policy.shape().vocabularySize();
    }

    @Override
    public Rows start(int capacity) {
      return new Sequences(new int[capacity][0]);
    }

    private final class Sequences implements Rows {
      private final int[][] tokens;

      Sequences(int[][] tokens) {
        this.tokens = tokens;
      }

      @Override
      public void step(int n, int[] rows, int[] next, float[] logits) {
        int v = vocabularySize();
        for (int i = 0; i < n; i++) {
          int[] s = Arrays.copyOf(tokens[rows[i]], tokens[rows[i]].length + 1);
          s[s.length - 1] = next[i];
          tokens[rows[i]] = s;
          double[][][] lp = policy.nextTokenLogProbs(List.of(s));
          for (int j = 0; j < v; j++) {
            logits[i * v + j] = (float) lp[0][s.length - 1][j];
          }
        }
      }

      @Override
      public Rows expand(int[] sources) {
        int[][] copy = new int[sources.length][];
        for (int r = 0; r < sources.length; r++) {
          copy[r] = tokens[sources[r]].clone();
        }
        return new Sequences(copy);
      }
    }
  }
}
