package io.sparkrl.bench;

import io.sparkrl.gradient.GradientSum;
import io.sparkrl.gradient.SequenceBatch;
import io.sparkrl.gradient.TrainingSequence;
import io.sparkrl.optim.AdamW;
import io.sparkrl.optim.OptimizerSettings;
import io.sparkrl.optim.ScheduleSettings;
import io.sparkrl.optim.ScheduleType;
import io.sparkrl.policy.transformer.FastWeights;
import io.sparkrl.policy.transformer.SamplingProducts;
import io.sparkrl.policy.transformer.TransformerBackprop;
import io.sparkrl.policy.transformer.TransformerKernel;
import io.sparkrl.policy.transformer.TransformerLayout;
import io.sparkrl.policy.transformer.TransformerShape;
import io.sparkrl.sampling.Completion;
import io.sparkrl.sampling.Prompt;
import io.sparkrl.sampling.Sampler;
import io.sparkrl.sampling.SamplingSettings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The REINFORCE step of a Llama-style transformer on one thread, on the CPU fast path
 * ({@link TransformerKernel}, {@link TransformerBackprop}): B prompts of 16 tokens, exactly 32
 * sampled tokens each with a KV cache (no EOS), one forward+backward over the whole sequences,
 * AdamW; each phase's median time over the iterations (and the minimum, beside it), after a
 * warm-up of at least one run and {@link #WARMUP_SECONDS} seconds (what an executor is in after its
 * first steps: the JIT done, the buffers grown; one run was not enough at {@code tiny}, where a
 * phase takes milliseconds and the second to fifth runs were still up to twice as slow).
 * {@code bench-torch.py} warms up by the same rule. Sizes:
 * {@code tiny} (V 512, d 128, 4 layers, 4 heads, SwiGLU 384) and {@code small}
 * (V 8192, d 512, 8 layers, 8 heads, SwiGLU 1408; 34M parameters), untied heads.
 * {@code scripts/bench-torch.py} runs the same step in PyTorch.
 *
 * <p>FLOP counts: M = the parameters of the matrix products (every linear map and the head; not
 * the embedding, a lookup). Sampling: 2 M per fed position (prefill and each generated token but
 * the last), attention ignored. Backward (forward + backward): 6 M per position of the padded
 * batch plus attention, 12 T^2 d per layer and sequence (QK^T and PV, forward and backward).
 */
final class TransformerStepBenchmark {
  static final int PROMPT = 16;
  static final int NEW_TOKENS = 32;
  /** Seconds of untimed runs before each phase is timed: {@code -Dbench.warmup.seconds}, 3. */
  static final double WARMUP_SECONDS =
      Double.parseDouble(System.getProperty("bench.warmup.seconds", "3"));

  private TransformerStepBenchmark() {}

  static TransformerShape shape(String size) {
    return switch (size) {
      case "tiny" -> TransformerShape.llama(512, 4, 128, 4, 4, 384, 64, 10000, 1e-5, false, false);
      case "small" -> TransformerShape.llama(8192, 8, 512, 8, 8, 1408, 64, 10000, 1e-5, false,
          false);
      default -> throw new IllegalArgumentException("transformer size must be tiny or small: "
          + size);
    };
  }

  static boolean handles(String size) {
    return size.equals("tiny") || size.equals("small");
  }

  static void run(String size, int batch, int iterations, double peak) {
    TransformerShape shape = shape(size);
    TransformerLayout layout = TransformerLayout.of(shape);
    float[] params = new float[layout.parameterCount()];
    SplittableRandom random = new SplittableRandom(1);
    for (TransformerLayout.Tensor t : layout.tensors()) {
      boolean norm = t.name().contains("norm");
      for (int k = 0; k < t.length(); k++) {
        params[t.offset() + k] = norm ? 1f : (float) (0.02 * gaussian(random));
      }
    }
    FastWeights weights = new FastWeights(shape, params);
    long m = weights.matmulParameters();
    List<Prompt> prompts = new ArrayList<>();
    for (int p = 0; p < batch; p++) {
      prompts.add(new Prompt(p, random.ints(PROMPT, 1, shape.vocabularySize()).toArray()));
    }
    System.out.printf("%n== %s transformer (Llama): V %d, d %d, %d layers, %d heads (kv %d),"
        + " SwiGLU %d; %,d parameters (%,d in matrix products); batch %d prompts of %d tokens,"
        + " %d new tokens%n", size, shape.vocabularySize(), shape.modelWidth(), shape.layers(),
        shape.heads(), shape.kvHeads(), shape.mlpWidth(), params.length, m, batch, PROMPT,
        NEW_TOKENS);
    SamplingSettings sampling = new SamplingSettings(1, 1.0, 0, 1.0, NEW_TOKENS);
    System.out.println("  the kernel's products: " + SamplingProducts.describe());
    int[] sampled = new int[1];
    double sampleFlops = 0;
    for (SamplingProducts products : SamplingProducts.values()) {
      if (!products.available()) {
        continue;
      }
      Timing sampleMs = time(iterations, () -> sampled[0] = sample(weights, sampling, prompts,
          products).stream().mapToInt(c -> c.tokens().length).sum());
      sampleFlops = 2.0 * m * (batch * PROMPT + sampled[0] - batch);
      report("sampling, kernel (KV cache), " + label(products), sampleMs, sampleFlops, peak,
          String.format("%,8.0f tokens/s", sampled[0] / sampleMs.median() * 1000));
    }

    List<Completion> completions = sample(weights, sampling, prompts, SamplingProducts.best());
    List<TrainingSequence> sequences = sequences(prompts, completions);
    double[] advantages = new double[batch];
    for (int i = 0; i < batch; i++) {
      advantages[i] = (i % 3) - 1;
    }
    SequenceBatch probe = new SequenceBatch(sequences);
    int length = probe.length();
    double backwardFlops = 6.0 * m * length * batch
        + 12.0 * length * length * shape.modelWidth() * shape.layers() * batch;
    double[][] gradient = new double[1][];
    TransformerBackprop[] engine = new TransformerBackprop[1];
    Timing backwardMs = time(iterations, () -> {
      engine[0] = TransformerBackprop.of(weights, "bench");
      gradient[0] = engine[0].sum(new SequenceBatch(sequences), advantages, null, null).gradient();
    });
    report("forward + backward (TransformerBackprop)", backwardMs, backwardFlops, peak, "");
    OptimizerSettings optimizer = new OptimizerSettings(1e-5, 0.9, 0.999, 1e-8, 0.01, 1.0,
        new ScheduleSettings(ScheduleType.CONSTANT, 0, 1, 0));
    // the plain loop first (the "before"), on a copy: the same bits, so the step below is unchanged
    AdamW plain = AdamW.withPlainArithmetic(optimizer, params.length);
    float[] scratch = params.clone();
    Timing plainMs = time(iterations, () -> plain.apply(scratch, gradient[0]));
    report("AdamW update, one parameter at a time", plainMs, 0, peak, "");
    AdamW adamw = new AdamW(optimizer, params.length);
    Timing adamMs = time(iterations, () -> adamw.apply(params, gradient[0]));
    report("AdamW update (what the driver runs)", adamMs, 0, peak, "");
    Timing stepMs = time(iterations, () -> {
      weights.load(params);
      List<TrainingSequence> ss = sequences(prompts, sample(weights, sampling, prompts,
          SamplingProducts.best()));
      GradientSum sum = TransformerBackprop.of(weights, "bench").sum(new SequenceBatch(ss),
          advantages, null, null);
      adamw.apply(params, sum.gradient());
    });
    report("whole step (load + sample + backward + AdamW)", stepMs, sampleFlops + backwardFlops,
        peak, "");
    long capacity = PROMPT + NEW_TOKENS;
    long cache = 2L * shape.layers() * batch * capacity * shape.kvHeads() * shape.headDim() * 4;
    System.out.printf("  memory: parameters %.1f MB (x2: heap copy + native for BLAS), the"
        + " sampler's copy %.1f MB (%s), AdamW state %.1f MB, gradient %.1f MB (doubles);"
        + " backward buffers %.1f MB, %.1f MB of them native (B %d x T %d); KV cache %.1f MB"
        + " (2 x layers x B x %d positions x kv width, floats)%n",
        params.length * 4 / 1e6, weights.samplerBytes(SamplingProducts.best()) / 1e6,
        SamplingProducts.best() == SamplingProducts.OPENBLAS ? "the (d, V) head"
            : "every weight as panels",
        params.length * 8 / 1e6, params.length * 8 / 1e6, engine[0].workspaceBytes() / 1e6,
        engine[0].workspaceNativeBytes() / 1e6, batch,
        length, cache / 1e6, capacity);
  }

  private static List<Completion> sample(FastWeights weights, SamplingSettings settings,
      List<Prompt> prompts, SamplingProducts products) {
    return new Sampler(new TransformerKernel(weights, NEW_TOKENS, products), settings, -1)
        .sample(prompts, 7, 0);
  }

  private static String label(SamplingProducts products) {
    return products == SamplingProducts.OPENBLAS ? "OpenBLAS" : "vector panels";
  }

  private static List<TrainingSequence> sequences(List<Prompt> prompts, List<Completion> cs) {
    List<TrainingSequence> out = new ArrayList<>();
    for (int i = 0; i < prompts.size(); i++) {
      out.add(TrainingSequence.of(prompts.get(i).tokens(), cs.get(i).tokens()));
    }
    return out;
  }

  private static double gaussian(SplittableRandom random) {
    double u = 1.0 - random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
  }

  /**
   * The median of the timed runs, and their minimum: on a shared machine other processes only
   * ever add time, so when medians move between runs of the same code the minimum still compares
   * two versions of it.
   */
  private record Timing(double median, double min) {}

  private static void report(String what, Timing t, double flops, double peak, String extra) {
    String ms = String.format("%9.2f ms (min %9.2f)", t.median(), t.min());
    if (flops > 0) {
      double gflops = flops / t.median() / 1e6;
      System.out.printf("  %-46s %s  %6.1f GFLOP/s = %4.1f%% of peak  %s%n", what, ms, gflops,
          100 * gflops / peak, extra);
    } else {
      System.out.printf("  %-46s %s%n", what, ms);
    }
  }

  private static Timing time(int iterations, Runnable body) {
    long warmUntil = System.nanoTime() + (long) (WARMUP_SECONDS * 1e9);
    do {
      body.run(); // warm-up
    } while (System.nanoTime() < warmUntil);
    double[] ms = new double[iterations];
    for (int i = 0; i < iterations; i++) {
      long t0 = System.nanoTime();
      body.run();
      ms[i] = (System.nanoTime() - t0) / 1e6;
    }
    Arrays.sort(ms);
    return new Timing(ms[iterations / 2], ms[0]);
  }
}
