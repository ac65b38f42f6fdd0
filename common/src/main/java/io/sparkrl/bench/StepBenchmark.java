package io.sparkrl.bench;

import io.sparkrl.gradient.PolicyGradient;
import io.sparkrl.gradient.SequenceBatch;
import io.sparkrl.gradient.TrainingSequence;
import io.sparkrl.optim.AdamW;
import io.sparkrl.optim.OptimizerSettings;
import io.sparkrl.policy.PolicyFactory;
import io.sparkrl.policy.PolicySettings;
import io.sparkrl.sampling.Completion;
import io.sparkrl.sampling.LstmKernel;
import io.sparkrl.sampling.NetworkStepper;
import io.sparkrl.sampling.Prompt;
import io.sparkrl.sampling.Sampler;
import io.sparkrl.sampling.SamplingSettings;
import io.sparkrl.tokenizer.UnknownCharacterMode;
import io.sparkrl.tokenizer.Vocabulary;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The REINFORCE step of DESIGN.md's reference figures, on this machine, one thread: the default
 * policy (embedding 32, 2 x LSTM-128, vocabulary 40), 16 prompts of 16 tokens, 32 sampled tokens
 * each. Prints sampling tokens/s of both sampling paths in the same run, the CPU kernel
 * ({@code sampling.device = cpu-kernel}) and the network's own {@code rnnTimeStep}
 * ({@code sampling.device = network}, what runs on a GPU under the CUDA backend; here on the CPU
 * backend, so it measures DL4J's per-op overhead), then the time of one REINFORCE backward pass
 * and of one AdamW update. Run it with {@code scripts/bench-step.sh}.
 */
public final class StepBenchmark {
  static final int PROMPTS = 16;
  static final int NEW_TOKENS = 32;

  public static void main(String[] args) {
    int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    String chars = "0123456789+-?. HTWabcdehilmnorstuwy"; // 35 characters + 5 specials = 40
    Vocabulary vocab = Vocabulary.ofCharacters(chars);
    MultiLayerNetwork net = PolicyFactory.create(new PolicySettings(32, 128, 2, 1, 256), vocab.size(),
        DataType.FLOAT);
    List<Prompt> prompts = new ArrayList<>();
    for (int p = 0; p < PROMPTS; p++) {
      String text = String.format("How much is %d+%d?", 10 + p, 20 + p).substring(0, 14);
      prompts.add(new Prompt(p, vocab.encodePrompt(text, UnknownCharacterMode.ERROR)));
    }
    System.out.printf("policy: vocabulary %d, embedding 32, 2 x LSTM-128, %d parameters;"
        + " %d prompts of %d tokens, up to %d new tokens; OMP_NUM_THREADS=%s%n", vocab.size(),
        net.numParams(), PROMPTS, prompts.get(0).tokens().length, NEW_TOKENS,
        System.getenv("OMP_NUM_THREADS"));

    SamplingSettings sampling = new SamplingSettings(1, 1.0, 0, 1.0, NEW_TOKENS);
    double kernelMs = median(iterations, () -> lastTokens = tokens(
        new Sampler(LstmKernel.of(net), sampling).sample(prompts, 7, 0)));
    int sampledTokens = lastTokens;
    double networkMs = median(Math.max(3, iterations / 4), () -> lastTokens = tokens(
        new Sampler(NetworkStepper.of(net), sampling).sample(prompts, 7, 0)));
    int networkTokens = lastTokens;

    List<Completion> completions = new Sampler(LstmKernel.of(net), sampling).sample(prompts, 7, 0);
    boolean same = render(completions).equals(
        render(new Sampler(NetworkStepper.of(net), sampling).sample(prompts, 7, 0)));
    List<TrainingSequence> sequences = new ArrayList<>();
    double[] advantages = new double[PROMPTS];
    for (int i = 0; i < PROMPTS; i++) {
      sequences.add(TrainingSequence.of(prompts.get(i).tokens(), completions.get(i).tokens()));
      advantages[i] = (i % 3) - 1;
    }
    double[][] gradient = new double[1][];
    double backwardMs = median(iterations, () -> gradient[0] = PolicyGradient.sum(net,
        new SequenceBatch(sequences, DataType.FLOAT), advantages, null, null).gradient());
    AdamW adamw = new AdamW(new OptimizerSettings(1e-3, 0.9, 0.999, 1e-8, 0.01, 1.0,
        new io.sparkrl.optim.ScheduleSettings(io.sparkrl.optim.ScheduleType.CONSTANT, 0, 1, 0)),
        (int) net.numParams());
    float[] params = net.params().toFloatVector();
    double adamMs = median(iterations, () -> adamw.apply(params, gradient[0]));

    System.out.printf("sampling (cpu-kernel): %12.0f tokens/s  (%d tokens in %.2f ms)%n",
        sampledTokens / kernelMs * 1000, sampledTokens, kernelMs);
    System.out.printf("sampling (network, DL4J rnnTimeStep): %6.0f tokens/s  (%d tokens in %.2f ms)%n",
        networkTokens / networkMs * 1000, networkTokens, networkMs);
    System.out.printf("sampling speed-up, cpu-kernel / network: %.1fx; same completions: %s%n",
        (sampledTokens / kernelMs) / (networkTokens / networkMs), same ? "yes" : "NO");
    System.out.printf("REINFORCE backward pass (%d sequences): %.2f ms%n", PROMPTS, backwardMs);
    System.out.printf("AdamW update: %.2f ms%n", adamMs);
    System.out.printf("whole step (sample + backward + AdamW): %.2f ms%n", kernelMs + backwardMs + adamMs);
  }

  private static int lastTokens;

  private static int tokens(List<Completion> completions) {
    return completions.stream().mapToInt(c -> c.tokens().length).sum();
  }

  private static String render(List<Completion> completions) {
    StringBuilder sb = new StringBuilder();
    for (Completion c : completions) {
      sb.append(Arrays.toString(c.tokens())).append('|');
    }
    return sb.toString();
  }

  private static double median(int iterations, Runnable body) {
    for (int i = 0; i < Math.max(2, iterations / 4); i++) {
      body.run(); // warm-up
    }
    double[] ms = new double[iterations];
    for (int i = 0; i < iterations; i++) {
      long t0 = System.nanoTime();
      body.run();
      ms[i] = (System.nanoTime() - t0) / 1e6;
    }
    Arrays.sort(ms);
    return ms[iterations / 2];
  }
}
