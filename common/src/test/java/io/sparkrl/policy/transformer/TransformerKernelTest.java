package io.sparkrl.policy.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrl.gradient.LossSettings;
import io.sparkrl.gradient.SequenceBatch;
import io.sparkrl.gradient.TrainingSequence;
import io.sparkrl.sampling.Completion;
import io.sparkrl.sampling.Prompt;
import io.sparkrl.sampling.Sampler;
import io.sparkrl.sampling.SamplingDevice;
import io.sparkrl.sampling.SamplingSettings;
import io.sparkrl.sampling.TokenStepper;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The CPU sampling kernel ({@link TransformerKernel}) through the production {@link Sampler}:
 * recorded log-probs equal the ND4J path's full forward pass (1e-5 absolute), completions equal
 * the ND4J stepper's, and a prompt's completions are the same alone and in a batch (log-probs to
 * 1e-5 relative with OpenBLAS, whose batched products round differently; bit for bit with the
 * vector panels), each with both {@link SamplingProducts}; steps without
 * a prefill (growing the cache) agree with a prefill; and {@link TransformerModel} routes backends
 * and devices to the right path.
 */
class TransformerKernelTest {
  static final int MAX_NEW = 8;
  static final String[] NAMES = {"llama-gqa-bias-untied", "llama-tied", "llama-fused", "gpt2"};

  static float[] theta(TransformerShape shape) {
    return TinyTransformers.floats(TinyTransformers.parameters(shape, 23, 0.5));
  }

  static List<Prompt> prompts() {
    return List.of(new Prompt(100, new int[] {1, 4, 3}), new Prompt(101, new int[] {0}),
        new Prompt(102, new int[] {5, 5, 1, 0, 3, 4}), new Prompt(103, new int[] {3, 1}));
  }

  static SamplingSettings settings() {
    return new SamplingSettings(3, 1.0, 0, 1.0, MAX_NEW);
  }

  /** Every shape with each of the sampler's products. */
  static List<Arguments> shapesAndProducts(String... names) {
    List<Arguments> out = new ArrayList<>();
    for (String name : names) {
      for (SamplingProducts products : SamplingProducts.values()) {
        out.add(Arguments.of(name, products));
      }
    }
    return out;
  }

  static List<Arguments> allShapesAndProducts() {
    return shapesAndProducts(NAMES);
  }

  static List<Arguments> batchShapesAndProducts() {
    return shapesAndProducts("llama-gqa-bias-untied", "llama-fused", "gpt2");
  }

  @Test
  void theTestJvmsRunTheVectorPanels() {
    // the build starts every test JVM with --add-modules=jdk.incubator.vector (pom.xml), so the
    // tests below exercise both products; without it this JVM would silently test OpenBLAS twice
    assertTrue(SamplingProducts.VECTOR_PANELS.available(), SamplingProducts.describe());
    assertEquals(SamplingProducts.VECTOR_PANELS, SamplingProducts.best());
    assertEquals(SamplingProducts.VECTOR_PANELS,
        TransformerKernel.of(TinyTransformers.gpt2(), theta(TinyTransformers.gpt2()), 2)
            .products());
    TransformerShape shape = TinyTransformers.llamaTied();
    TokenStepper viaModel =
        new TransformerModel(shape, theta(shape)).stepper(SamplingDevice.CPU_KERNEL, 2);
    assertEquals(SamplingProducts.VECTOR_PANELS, ((TransformerKernel) viaModel).products());
  }

  @ParameterizedTest
  @MethodSource("allShapesAndProducts")
  void recordedLogProbsEqualAFullForwardPassAndTheReferenceStepper(String name,
      SamplingProducts products) {
    TransformerShape shape = TransformerBackpropTest.shape(name);
    float[] theta = theta(shape);
    TransformerPolicy reference = TransformerPolicy.of(shape, theta, DataType.FLOAT);
    List<Prompt> all = prompts();
    List<Completion> completions = new Sampler(
        TransformerKernel.of(shape, theta, MAX_NEW, products), settings()).sample(all, 11, 0);
    List<TrainingSequence> sequences = new ArrayList<>();
    for (Completion c : completions) {
      sequences.add(TrainingSequence.of(all.get((int) (c.promptId() - 100)).tokens(), c.tokens()));
    }
    double[][] forward = reference.completionLogProbs(new SequenceBatch(sequences));
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
    assertTrue(tokens > 2 * completions.size(), "completions too short to test the cache");
    assertTrue(worst <= 1e-5, "max |log-prob difference| " + worst);

    List<Completion> viaReference =
        new Sampler(reference.stepper(MAX_NEW), settings()).sample(all, 11, 0);
    assertEquals(render(viaReference), render(completions));
  }

  @ParameterizedTest
  @MethodSource("batchShapesAndProducts")
  void completionIsTheSameAloneOrInABatch(String name, SamplingProducts products) {
    TransformerShape shape = TransformerBackpropTest.shape(name);
    Sampler sampler = new Sampler(TransformerKernel.of(shape, theta(shape), MAX_NEW, products),
        settings());
    List<Prompt> all = new ArrayList<>(prompts());
    SplittableRandom random = new SplittableRandom(4);
    for (int p = 0; p < 12; p++) { // 16 prompts x 3 samples: 48 rows, past sgemm's small-M paths
      all.add(new Prompt(200 + p, random.ints(1 + random.nextInt(6), 0,
          shape.vocabularySize()).toArray()));
    }
    List<Completion> batch = sampler.sample(all, 7, 3);
    for (int p = 0; p < all.size(); p++) {
      List<Completion> alone = sampler.sample(List.of(all.get(p)), 7, 3);
      for (int j = 0; j < 3; j++) {
        Completion a = alone.get(j);
        Completion b = batch.get(p * 3 + j);
        assertArrayEquals(b.tokens(), a.tokens(), "prompt " + p + " sample " + j);
        if (products == SamplingProducts.VECTOR_PANELS) { // a row's floats are its own
          assertArrayEquals(b.logProbs(), a.logProbs(), "prompt " + p + " sample " + j);
        }
        for (int k = 0; k < a.logProbs().length; k++) { // sgemm rounding: 1e-5 relative
          assertEquals(b.logProbs()[k], a.logProbs()[k],
              1e-5 * Math.max(1, Math.abs(b.logProbs()[k])));
        }
      }
    }
  }

  static List<Arguments> cacheShapesAndProducts() {
    return shapesAndProducts("llama-gqa-bias-untied", "gpt2");
  }

  @ParameterizedTest
  @MethodSource("cacheShapesAndProducts")
  void stepsFromAnEmptyCacheEqualAPrefillAndGrowTheCache(String name, SamplingProducts products) {
    TransformerShape shape = TransformerBackpropTest.shape(name);
    TransformerKernel kernel = TransformerKernel.of(shape, theta(shape), 2, products);
    int v = shape.vocabularySize();
    int[] sequence = {1, 4, 3, 0, 2, 5, 1}; // 7 tokens through a cache of capacity 2
    int[] other = {2, 2, 5, 1, 0, 3, 4}; // row 0, stepped beside it: the rows' caches stay apart
    TokenStepper.Rows rows = kernel.start(2);
    float[] stepLogits = new float[2 * v];
    for (int t = 0; t < sequence.length; t++) {
      rows.step(2, new int[] {1, 0}, new int[] {sequence[t], other[t]}, stepLogits);
    }
    float[] prefilled = new float[2 * v];
    kernel.prefill(List.of(sequence, other), prefilled);
    for (int j = 0; j < 2 * v; j++) {
      assertEquals(prefilled[j], stepLogits[j], 1e-5, "logit " + j);
    }
    rows.step(1, new int[] {1}, new int[] {sequence[0]}, stepLogits); // row 1 alone: 8 positions
    rows.step(1, new int[] {1}, new int[] {sequence[1]}, stepLogits);
    int[] nine = java.util.Arrays.copyOf(sequence, sequence.length + 2);
    nine[sequence.length] = sequence[0];
    nine[sequence.length + 1] = sequence[1];
    float[] nineLogits = new float[v];
    kernel.prefill(List.of(nine), nineLogits);
    for (int j = 0; j < v; j++) {
      assertEquals(nineLogits[j], stepLogits[j], 1e-5, "logit " + j + " at position 8");
    }
    rows.step(1, new int[] {0}, new int[] {other[0]}, stepLogits); // row 0 after the growth
    int[] eight = java.util.Arrays.copyOf(other, other.length + 1);
    eight[other.length] = other[0];
    kernel.prefill(List.of(eight), nineLogits);
    for (int j = 0; j < v; j++) {
      assertEquals(nineLogits[j], stepLogits[j], 1e-5, "row 0's logit " + j + " after growing");
    }
    rows = kernel.start(2);
    for (int t = 0; t < sequence.length; t++) {
      rows.step(1, new int[] {1}, new int[] {sequence[t]}, stepLogits);
    }
    float[] expanded = new float[v];
    rows.expand(new int[] {1}).step(1, new int[] {0}, new int[] {2}, expanded);
    float[] direct = new float[v];
    int[] longer = java.util.Arrays.copyOf(sequence, sequence.length + 1);
    longer[sequence.length] = 2;
    kernel.prefill(List.of(longer), direct);
    for (int j = 0; j < v; j++) {
      assertEquals(direct[j], expanded[j], 1e-5, "logit " + j + " after expand");
    }
  }

  @Test
  void positionsBeyondTheModelFailClearly() {
    TransformerShape shape = TinyTransformers.gpt2();
    int max = shape.maxPositions();
    TransformerKernel kernel = TransformerKernel.of(shape, theta(shape), 4);
    float[] logits = new float[shape.vocabularySize()];
    IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
        () -> kernel.prefill(List.of(new int[max + 1]), logits));
    assertTrue(tooLong.getMessage().contains(String.valueOf(max)), tooLong.getMessage());
    TokenStepper.Rows rows = kernel.prefill(List.of(new int[max]), logits);
    assertThrows(IllegalArgumentException.class,
        () -> rows.step(1, new int[] {0}, new int[] {1}, logits));
  }

  @Test
  void theModelRoutesBackendsAndDevicesAndSeesLoads() {
    TransformerShape shape = TinyTransformers.llamaGqaBiasUntied();
    float[] theta = theta(shape);
    TransformerModel model = new TransformerModel(shape, theta);
    assertInstanceOf(TransformerBackprop.class, model.gradient(LossSettings.Backend.FAST, "p"));
    assertTrue(!(model.gradient(LossSettings.Backend.DL4J, "p") instanceof TransformerBackprop));
    assertInstanceOf(TransformerKernel.class, model.stepper(SamplingDevice.CPU_KERNEL, 4));
    assertInstanceOf(TransformerStepper.class, model.stepper(SamplingDevice.NETWORK, 4));
    // the default, auto, is the fast path on this CPU backend
    assertInstanceOf(TransformerBackprop.class, model.gradient(LossSettings.Backend.AUTO, "p"));

    SequenceBatch batch = new SequenceBatch(TinyTransformers.sequences(shape.vocabularySize(), 2));
    var fast = model.gradient(LossSettings.Backend.FAST, "p");
    double before = fast.completionLogProbs(batch)[0][0];
    float[] other = TinyTransformers.floats(TinyTransformers.parameters(shape, 99, 0.5));
    model.load(other);
    double after = fast.completionLogProbs(batch)[0][0];
    double expected = TransformerPolicy.of(shape, other, DataType.FLOAT)
        .completionLogProbs(batch)[0][0];
    assertTrue(Math.abs(before - after) > 1e-3, "new parameters should change the log-prob");
    assertEquals(expected, after, 1e-5);
    assertEquals(expected,
        model.gradient(LossSettings.Backend.DL4J, "p").completionLogProbs(batch)[0][0], 1e-5);
  }

  static String render(List<Completion> completions) {
    StringBuilder sb = new StringBuilder();
    for (Completion c : completions) {
      sb.append(c.promptId()).append(java.util.Arrays.toString(c.tokens())).append('|');
    }
    return sb.toString();
  }

  @Test
  void theSamplersHeadIsTheStoredHeadTransposedAfterEachLoad() {
    // d 200: three bands of 64 rows and a remainder of 8
    TransformerShape shape = TransformerShape.llama(300, 1, 200, 4, 4, 64, 16, 10000, 1e-5, false,
        false);
    float[] p = new float[TransformerLayout.of(shape).parameterCount()];
    for (int load = 0; load < 2; load++) {
      for (int i = 0; i < p.length; i++) {
        p[i] = (load + 1) * 0.001f * (i % 977);
      }
      FastWeights w = load == 0 ? new FastWeights(shape, p) : reloaded(shape, p);
      float[] columns = new float[300 * 200];
      w.headByColumns().get(0, columns, 0, columns.length);
      int head = w.head.weight();
      for (int v = 0; v < 300; v++) {
        for (int j = 0; j < 200; j++) {
          assertEquals(p[head + v * 200 + j], columns[j * 300 + v], "v " + v + ", j " + j);
        }
      }
    }
  }

  /** Weights built from other values, their head copy taken, then loaded with {@code p}. */
  private static FastWeights reloaded(TransformerShape shape, float[] p) {
    FastWeights w = new FastWeights(shape, new float[p.length]);
    w.headByColumns();
    w.load(p);
    return w;
  }
}
