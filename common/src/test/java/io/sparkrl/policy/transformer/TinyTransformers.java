package io.sparkrl.policy.transformer;

import io.sparkrl.gradient.TrainingSequence;
import java.util.List;
import java.util.SplittableRandom;

/** Tiny shapes of each family and random parameters for tests. */
final class TinyTransformers {
  private TinyTransformers() {}

  /** Qwen2-like: GQA (4 query heads, 2 kv heads), q/k/v biases, untied head. */
  static TransformerShape llamaGqaBiasUntied() {
    return TransformerShape.llama(7, 2, 16, 4, 2, 12, 32, 10000, 1e-5, true, false);
  }

  /** Llama with a tied head, no biases, one kv head for two query heads. */
  static TransformerShape llamaTied() {
    return TransformerShape.llama(6, 2, 8, 2, 1, 10, 32, 500, 1e-6, false, true);
  }

  static TransformerShape gpt2() {
    return TransformerShape.gpt2(7, 2, 8, 2, 16, 32, 1e-5);
  }

  static List<TransformerShape> all() {
    return List.of(llamaGqaBiasUntied(), llamaTied(), gpt2());
  }

  static TransformerShape named(String name) {
    return switch (name) {
      case "llama-gqa-bias-untied" -> llamaGqaBiasUntied();
      case "llama-tied" -> llamaTied();
      case "gpt2" -> gpt2();
      default -> throw new IllegalArgumentException(name);
    };
  }

  /**
   * Every entry random: weights N(0, std), norm weights 1 + N(0, 0.2), biases N(0, 0.1), so that
   * no tensor's gradient is trivially zero or symmetric.
   */
  static double[] parameters(TransformerShape shape, long seed, double std) {
    TransformerLayout layout = TransformerLayout.of(shape);
    double[] out = new double[layout.parameterCount()];
    SplittableRandom random = new SplittableRandom(seed);
    for (TransformerLayout.Tensor t : layout.tensors()) {
      boolean norm = t.name().contains("norm") || t.name().contains("ln_");
      for (int k = 0; k < t.length(); k++) {
        double z = gaussian(random);
        out[t.offset() + k] = t.name().endsWith(".bias") ? 0.1 * z : norm ? 1 + 0.2 * z : std * z;
      }
    }
    return out;
  }

  static float[] floats(double[] values) {
    float[] out = new float[values.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) values[i];
    }
    return out;
  }

  static double gaussian(SplittableRandom random) {
    double u = 1.0 - random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
  }

  /** Rows of different prompt and completion lengths (so the batch is padded). */
  static List<TrainingSequence> sequences(int vocabulary, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int[][] shapes = {{3, 4}, {1, 2}, {5, 1}, {2, 6}};
    List<TrainingSequence> out = new java.util.ArrayList<>();
    for (int[] s : shapes) {
      int[] prompt = random.ints(s[0], 0, vocabulary).toArray();
      int[] completion = random.ints(s[1], 0, vocabulary).toArray();
      out.add(TrainingSequence.of(prompt, completion));
    }
    return out;
  }
}
