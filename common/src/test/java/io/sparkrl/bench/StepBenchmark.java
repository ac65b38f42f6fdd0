package io.sparkrl.bench;

import io.sparkrl.gradient.GradientSum;
import io.sparkrl.gradient.OpenBlasCore;
import io.sparkrl.gradient.SequenceBatch;
import io.sparkrl.gradient.SgemmPeak;
import io.sparkrl.gradient.TrainingSequence;
import io.sparkrl.optim.AdamW;
import io.sparkrl.optim.OptimizerSettings;
import io.sparkrl.optim.ScheduleSettings;
import io.sparkrl.optim.ScheduleType;
import io.sparkrl.policy.PolicySettings;
import io.sparkrl.policy.lstm.Dl4jGradient;
import io.sparkrl.policy.lstm.LstmBackprop;
import io.sparkrl.policy.lstm.LstmFactory;
import io.sparkrl.policy.lstm.LstmKernel;
import io.sparkrl.policy.lstm.NetworkStepper;
import io.sparkrl.sampling.Completion;
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
 * The project's reference REINFORCE step (README, Performance), on one thread, for a named policy size and
 * batch: prompts of 16 tokens, up to 32 sampled tokens each, vocabulary 40. Prints sampling
 * tokens/s, the backward pass (fast and, for the default size, DL4J's, alternating in the same
 * run), AdamW, and a whole step (sample + backward + AdamW, timed as one), each with its GFLOP/s as
 * a share of this machine's single-core sgemm peak measured first through the same BLAS.
 *
 * <p>Usage: {@code StepBenchmark [iterations] [size:batch ...]}, sizes {@code default}
 * (embedding 32, 2 x LSTM-128) and {@code large} (embedding 32, 2 x LSTM-512); run it with
 * {@code scripts/bench-step.sh}, which sets OMP_NUM_THREADS=1. Sizes {@code tiny} and {@code small}
 * are transformers ({@link TransformerStepBenchmark}).
 */
public final class StepBenchmark {
  static final int NEW_TOKENS = 32;
  static final String CHARS = "0123456789+-?. HTWabcdehilmnorstuwy"; // 35 + 5 specials = 40

  public static void main(String[] args) {
    int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    List<String> cases = args.length > 1 ? List.of(args).subList(1, args.length)
        : List.of("default:16", "default:64", "large:16", "large:64");
    double peak = SgemmPeak.gflops(1024, 10);
    System.out.printf("single-core sgemm peak (1024^3, OpenBLAS via ND4J's library):"
        + " %.1f GFLOP/s; OMP_NUM_THREADS=%s, %s=%s%n", peak, System.getenv("OMP_NUM_THREADS"),
        OpenBlasCore.VARIABLE, System.getenv(OpenBlasCore.VARIABLE));
    OpenBlasCore.advice().ifPresent(advice -> System.out.println("  note: " + advice));
    for (String c : cases) {
      String[] parts = c.split(":");
      run(parts[0], Integer.parseInt(parts[1]), iterations, peak);
    }
  }

  static void run(String size, int batch, int iterations, double peak) {
    if (TransformerStepBenchmark.handles(size)) {
      TransformerStepBenchmark.run(size, batch, Math.max(3, iterations / 4), peak);
      return;
    }
    int hidden = switch (size) {
      case "default" -> 128;
      case "large" -> 512;
      default -> throw new IllegalArgumentException("size must be default or large: " + size);
    };
    Vocabulary vocab = Vocabulary.ofCharacters(CHARS);
    MultiLayerNetwork net = LstmFactory.create(new PolicySettings(32, hidden, 2, 1, 256), vocab.size(),
        DataType.FLOAT);
    List<Prompt> prompts = new ArrayList<>();
    for (int p = 0; p < batch; p++) {
      String text = String.format("How much is %d+%d?", 10 + p % 80, 20 + p % 70).substring(0, 14);
      prompts.add(new Prompt(p, vocab.encodePrompt(text, UnknownCharacterMode.ERROR)));
    }
    int promptLength = prompts.get(0).tokens().length;
    System.out.printf("%n== %s policy: embedding 32, 2 x LSTM-%d, vocabulary %d, %,d parameters;"
        + " batch %d prompts of %d tokens, up to %d new tokens%n", size, hidden, vocab.size(),
        net.numParams(), batch, promptLength, NEW_TOKENS);
    // flops of one position through the network: 2 (in + H) 4H per layer, 2 H V at the output
    double perPosition = 2.0 * (32 + hidden) * 4 * hidden + 2.0 * (hidden + hidden) * 4 * hidden
        + 2.0 * hidden * vocab.size();

    SamplingSettings sampling = new SamplingSettings(1, 1.0, 0, 1.0, NEW_TOKENS);
    int[] sampled = new int[1];
    double sampleMs = median(iterations, () -> sampled[0] = new Sampler(LstmKernel.of(net), sampling)
        .sample(prompts, 7, 0).stream().mapToInt(c -> c.tokens().length).sum());
    // positions fed: every prompt token and every sampled token but each row's last
    double sampleFlops = perPosition * (batch * promptLength + sampled[0] - batch);
    // the kernel feeds a prompt prefix shared by several prompts once (LstmKernel.prefill)
    java.util.Set<String> prefixes = new java.util.HashSet<>();
    for (Prompt p : prompts) {
      for (int t = 1; t <= p.tokens().length; t++) {
        prefixes.add(Arrays.toString(Arrays.copyOf(p.tokens(), t)));
      }
    }
    double kernelFlops = perPosition * (prefixes.size() + sampled[0] - batch);
    report("sampling, shipped kernel", sampleMs, kernelFlops, peak,
        String.format("%,8.0f tokens/s; %d of %d prompt positions fed (shared prefixes once)",
            sampled[0] / sampleMs * 1000, prefixes.size(), batch * promptLength));
    if (size.equals("default")) {
      // sampling.device = network: the network's own rnnTimeStep (what runs on a GPU under the
      // CUDA backend; here on the CPU backend, so it measures DL4J's per-op overhead)
      int[] viaNetwork = new int[1];
      double networkMs = median(Math.max(3, iterations / 4), () -> viaNetwork[0] = new Sampler(
          NetworkStepper.of(net), sampling).sample(prompts, 7, 0).stream()
          .mapToInt(c -> c.tokens().length).sum());
      boolean same = render(new Sampler(LstmKernel.of(net), sampling).sample(prompts, 7, 0))
          .equals(render(new Sampler(NetworkStepper.of(net), sampling).sample(prompts, 7, 0)));
      report("sampling, network path (rnnTimeStep)", networkMs, sampleFlops, peak,
          String.format("%,8.0f tokens/s; same completions as the kernel: %s",
              viaNetwork[0] / networkMs * 1000, same ? "yes" : "NO"));
    }

    List<Completion> completions = new Sampler(LstmKernel.of(net), sampling).sample(prompts, 7, 0);
    List<TrainingSequence> sequences = new ArrayList<>();
    double[] advantages = new double[batch];
    for (int i = 0; i < batch; i++) {
      sequences.add(TrainingSequence.of(prompts.get(i).tokens(), completions.get(i).tokens()));
      advantages[i] = (i % 3) - 1;
    }
    // the backward pass runs every row over T = longest - 1 positions (padded)
    long positions = new SequenceBatch(sequences).length() * batch;
    double backwardFlops = 3 * perPosition * positions; // forward again, then twice its products
    double[][] gradient = new double[1][];
    double fastMs;
    if (size.equals("default")) {
      double[] ms = alternate(Math.max(3, iterations / 2),
          () -> Dl4jGradient.sum(net, new SequenceBatch(sequences), advantages,
              null, null),
          () -> gradient[0] = fastBackward(net, sequences, advantages).gradient());
      report("backward, DL4J (reference, same run)", ms[0], backwardFlops, peak, "");
      fastMs = ms[1];
      System.out.printf("  backward speed-up, fast / DL4J: %.1fx%n", ms[0] / ms[1]);
    } else {
      fastMs = median(iterations, () -> gradient[0] = fastBackward(net, sequences, advantages)
          .gradient());
    }
    report("backward, shipped (LstmBackprop)", fastMs, backwardFlops, peak, "");
    AdamW adamw = new AdamW(new OptimizerSettings(1e-3, 0.9, 0.999, 1e-8, 0.01, 1.0,
        new ScheduleSettings(ScheduleType.CONSTANT, 0, 1, 0)), (int) net.numParams());
    float[] params = net.params().toFloatVector();
    double adamMs = median(iterations, () -> adamw.apply(params, gradient[0]));
    report("AdamW update", adamMs, 0, peak, "");
    report("backward + AdamW", fastMs + adamMs, backwardFlops, peak, "");

    double stepMs = median(iterations, () -> {
      List<Completion> cs = new Sampler(LstmKernel.of(net), sampling).sample(prompts, 7, 0);
      List<TrainingSequence> ss = new ArrayList<>();
      for (int i = 0; i < batch; i++) {
        ss.add(TrainingSequence.of(prompts.get(i).tokens(), cs.get(i).tokens()));
      }
      adamw.apply(params, fastBackward(net, ss, advantages).gradient());
    });
    report("whole step (sample + backward + AdamW)", stepMs, kernelFlops + backwardFlops, peak, "");
  }

  private static GradientSum fastBackward(MultiLayerNetwork net, List<TrainingSequence> sequences,
      double[] advantages) {
    return LstmBackprop.of(net, "bench").sum(new SequenceBatch(sequences),
        advantages, null, null);
  }

  private static void report(String what, double ms, double flops, double peak, String extra) {
    if (flops > 0) {
      double gflops = flops / ms / 1e6;
      System.out.printf("  %-40s %9.2f ms  %6.1f GFLOP/s = %4.1f%% of peak  %s%n", what, ms,
          gflops, 100 * gflops / peak, extra);
    } else {
      System.out.printf("  %-40s %9.2f ms%n", what, ms);
    }
  }

  /** Medians of a and b, run alternately (a, b, a, b, ...) so both see the same machine load. */
  private static double[] alternate(int iterations, Runnable a, Runnable b) {
    for (int i = 0; i < 2; i++) {
      a.run();
      b.run();
    }
    double[] ta = new double[iterations];
    double[] tb = new double[iterations];
    for (int i = 0; i < iterations; i++) {
      ta[i] = time(a);
      tb[i] = time(b);
    }
    Arrays.sort(ta);
    Arrays.sort(tb);
    return new double[] {ta[iterations / 2], tb[iterations / 2]};
  }

  private static double median(int iterations, Runnable body) {
    // warm-up: at least max(2, iterations / 4) runs and WARMUP_SECONDS, as the transformer's
    long warmUntil = System.nanoTime() + (long) (TransformerStepBenchmark.WARMUP_SECONDS * 1e9);
    for (int i = 0; i < Math.max(2, iterations / 4) || System.nanoTime() < warmUntil; i++) {
      body.run();
    }
    double[] ms = new double[iterations];
    for (int i = 0; i < iterations; i++) {
      ms[i] = time(body);
    }
    Arrays.sort(ms);
    return ms[iterations / 2];
  }

  private static double time(Runnable body) {
    long t0 = System.nanoTime();
    body.run();
    return (System.nanoTime() - t0) / 1e6;
  }

  private static String render(List<Completion> completions) {
    StringBuilder sb = new StringBuilder();
    for (Completion c : completions) {
      sb.append(Arrays.toString(c.tokens())).append('|');
    }
    return sb.toString();
  }
}
