package io.sparkrl.policy.lstm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrl.gradient.*;
import io.sparkrl.gradient.SequenceBatch;
import io.sparkrl.gradient.TrainingSequence;
import io.sparkrl.policy.PolicySettings;
import io.sparkrl.policy.lstm.LstmFactory;
import io.sparkrl.sampling.*;
import io.sparkrl.tokenizer.Vocabulary;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The network path against DL4J's full forward pass and against the CPU kernel, on the CPU
 * backend: same seeds, same completions, log-probs within 1e-5. Prompts have different lengths
 * (SamplerTest's four), so rows that wait while longer prompts are fed are covered.
 */
class NetworkStepperTest {
  static final long[] SEEDS = {1, 2, 3, 5, 8, 13};

  static MultiLayerNetwork policy(int layers) {
    return LstmFactory.create(new PolicySettings(16, 24, layers, 40 + layers, 256),
        SamplerTest.VOCAB.size(), DataType.FLOAT);
  }

  @ParameterizedTest(name = "{0} LSTM layer(s)")
  @CsvSource({"1", "2", "3"})
  void recordedLogProbsEqualAFullForwardPass(int layers) {
    MultiLayerNetwork net = policy(layers);
    List<Prompt> prompts = SamplerTest.prompts();
    List<Completion> completions = new Sampler(NetworkStepper.of(net),
        new SamplingSettings(3, 1.0, 0, 1.0, 12)).sample(prompts, 11, 0);
    List<TrainingSequence> sequences = new ArrayList<>();
    for (Completion c : completions) {
      sequences.add(TrainingSequence.of(prompts.get((int) (c.promptId() - 1000)).tokens(), c.tokens()));
    }
    double[][] forward = LstmBatch.completionLogProbs(net, new SequenceBatch(sequences));
    double worst = 0;
    int scored = 0;
    for (int i = 0; i < completions.size(); i++) {
      float[] recorded = completions.get(i).logProbs();
      assertEquals(forward[i].length, recorded.length);
      for (int k = 0; k < recorded.length; k++) {
        worst = Math.max(worst, Math.abs(forward[i][k] - recorded[k]));
        scored++;
      }
    }
    assertTrue(scored > completions.size(), "too few tokens to compare: " + scored);
    assertTrue(worst <= 1e-5, "max |log-prob difference| " + worst);
  }

  /** Greedy, temperature, top-k, top-p, and short completions cut at max-new-tokens or at EOS. */
  @ParameterizedTest(name = "{0} layer(s), G={1}, T={2}, top-k={3}, top-p={4}, max {5}")
  @CsvSource({
      "2, 1, 1.0, 1, 1.0, 12",
      "1, 4, 1.0, 0, 1.0, 12",
      "2, 4, 1.5, 0, 1.0, 12",
      "2, 4, 0.7, 3, 1.0, 12",
      "3, 4, 1.0, 0, 0.5, 12",
      "2, 8, 3.0, 0, 1.0, 5",
  })
  void networkAndKernelSampleTheSameCompletions(int layers, int g, double temperature, int topK,
      double topP, int maxNewTokens) {
    MultiLayerNetwork net = policy(layers);
    SamplingSettings settings = new SamplingSettings(g, temperature, topK, topP, maxNewTokens);
    Sampler kernel = new Sampler(LstmKernel.of(net), settings);
    Sampler network = new Sampler(NetworkStepper.of(net), settings);
    List<Prompt> prompts = SamplerTest.prompts();
    int finished = 0;
    int cut = 0;
    double worst = 0;
    for (long seed : SEEDS) {
      List<Completion> a = kernel.sample(prompts, seed, 4);
      List<Completion> b = network.sample(prompts, seed, 4);
      assertEquals(a.size(), b.size());
      for (int i = 0; i < a.size(); i++) {
        Completion x = a.get(i);
        Completion y = b.get(i);
        assertEquals(x.promptId(), y.promptId());
        assertEquals(x.sampleIndex(), y.sampleIndex());
        assertArrayEquals(x.tokens(), y.tokens(), "seed " + seed + " row " + i);
        assertEquals(x.finished(), y.finished());
        for (int k = 0; k < x.logProbs().length; k++) {
          worst = Math.max(worst, Math.abs(x.logProbs()[k] - y.logProbs()[k]));
        }
        finished += x.finished() ? 1 : 0;
        cut += x.finished() ? 0 : 1;
      }
    }
    assertTrue(worst <= 1e-5, "max |log-prob difference| " + worst);
    if (maxNewTokens == 5) {
      assertTrue(finished > 0 && cut > 0, "EOS and max-new-tokens both exercised: " + finished
          + " finished, " + cut + " cut");
    }
  }

  @Test
  void leavesTheNetworkWithoutStoredState() {
    MultiLayerNetwork net = policy(2);
    new Sampler(NetworkStepper.of(net), new SamplingSettings(2, 1.0, 0, 1.0, 6))
        .sample(SamplerTest.prompts(), 3, 0);
    for (int l = 1; l <= 2; l++) {
      assertTrue(net.rnnGetPreviousState(l).isEmpty(), "layer " + l + " kept state");
    }
  }

  @Test
  void aPromptWaitingForLongerOnesKeepsItsState() {
    MultiLayerNetwork net = policy(2);
    NetworkStepper stepper = NetworkStepper.of(net);
    int v = stepper.vocabularySize();
    int[] shortPrompt = {Vocabulary.BOS, 5, 6};
    // row 0 steps three times, row 1 then three more while row 0 waits, then both once more
    TokenStepper.Rows both = stepper.start(2);
    float[] logits = new float[2 * v];
    for (int t = 0; t < 3; t++) {
      both.step(2, new int[] {0, 1}, new int[] {shortPrompt[t], 7 + t}, logits);
    }
    for (int t = 0; t < 3; t++) {
      both.step(1, new int[] {1}, new int[] {11}, logits);
    }
    both.step(2, new int[] {0, 1}, new int[] {9, 9}, logits);
    TokenStepper.Rows alone = stepper.start(1);
    float[] expected = new float[v];
    for (int token : new int[] {Vocabulary.BOS, 5, 6, 9}) {
      alone.step(1, new int[] {0}, new int[] {token}, expected);
    }
    for (int j = 0; j < v; j++) {
      assertEquals(expected[j], logits[j], 1e-5, "logit " + j);
    }
  }
}
