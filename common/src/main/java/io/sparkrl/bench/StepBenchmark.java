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
import io.sparkrl.sampling.Prompt;
import io.sparkrl.sampling.Sampler;
import io.sparkrl.sampling.SamplingSettings;
import io.sparkrl.tokenizer.UnknownCharacterMode;
import io.sparkrl.tokenizer.Vocabulary;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The REINFORCE step of DESIGN.md's reference figures, on this machine, one thread: the default
 * policy (embedding 32, 2 x LSTM-128, vocabulary 40), 16 prompts of 16 tokens, 32 sampled tokens
 * each. Prints sampling tokens/s for the shipped sampler and, in the same run, for a plain DL4J
 * {@code rnnTimeStep} sampler (the straightforward implementation), then the time of one REINFORCE
 * backward pass and of one AdamW update. Run it with {@code scripts/bench-step.sh}.
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
    double kernelMs = median(iterations, () -> {
      Sampler sampler = new Sampler(LstmKernel.of(net), sampling);
      lastTokens = sampler.sample(prompts, 7, 0).stream().mapToInt(c -> c.tokens().length).sum();
    });
    int sampledTokens = lastTokens;
    double dl4jMs = median(Math.max(3, iterations / 4), () -> lastTokens = dl4jSample(net, prompts));
    int dl4jTokens = lastTokens;

    List<Completion> completions = new Sampler(LstmKernel.of(net), sampling).sample(prompts, 7, 0);
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

    System.out.printf("sampling (shipped kernel): %8.0f tokens/s  (%d tokens in %.2f ms)%n",
        sampledTokens / kernelMs * 1000, sampledTokens, kernelMs);
    System.out.printf("sampling (DL4J rnnTimeStep): %6.0f tokens/s  (%d tokens in %.2f ms)%n",
        dl4jTokens / dl4jMs * 1000, dl4jTokens, dl4jMs);
    System.out.printf("sampling speed-up, shipped / DL4J: %.1fx%n",
        (sampledTokens / kernelMs) / (dl4jTokens / dl4jMs));
    System.out.printf("REINFORCE backward pass (%d sequences): %.2f ms%n", PROMPTS, backwardMs);
    System.out.printf("AdamW update: %.2f ms%n", adamMs);
    System.out.printf("whole step (sample + backward + AdamW): %.2f ms%n", kernelMs + backwardMs + adamMs);
  }

  private static int lastTokens;

  /** The straightforward sampler: one rnnTimeStep per token over the batch, DL4J's own ops. */
  static int dl4jSample(MultiLayerNetwork net, List<Prompt> prompts) {
    int b = prompts.size();
    int length = prompts.get(0).tokens().length;
    int[][] rows = new int[b][];
    for (int i = 0; i < b; i++) {
      rows[i] = prompts.get(i).tokens();
    }
    net.rnnClearPreviousState();
    INDArray out = net.rnnTimeStep(PolicyFactory.input(rows, length, DataType.FLOAT));
    INDArray last = out.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
        org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(length - 1));
    SplittableRandom random = new SplittableRandom(3);
    boolean[] done = new boolean[b];
    int tokens = 0;
    for (int t = 0; t < NEW_TOKENS; t++) {
      float[][] probs = last.toFloatMatrix();
      INDArray next = Nd4j.zeros(DataType.FLOAT, b, 1, 1);
      boolean any = false;
      for (int i = 0; i < b; i++) {
        double u = random.nextDouble();
        double c = 0;
        int tok = probs[i].length - 1;
        for (int j = 0; j < probs[i].length; j++) {
          c += probs[i][j];
          if (u < c) {
            tok = j;
            break;
          }
        }
        if (!done[i]) {
          tokens++;
          done[i] = tok == Vocabulary.EOS;
          any |= !done[i];
        }
        next.putScalar(i, 0, 0, tok);
      }
      if (!any) {
        break;
      }
      last = net.rnnTimeStep(next).reshape(b, probs[0].length);
    }
    net.rnnClearPreviousState();
    return tokens;
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
