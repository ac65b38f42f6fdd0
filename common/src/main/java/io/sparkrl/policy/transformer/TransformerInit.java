package io.sparkrl.policy.transformer;

import java.util.SplittableRandom;

/**
 * Fresh parameters as Hugging Face initialises them: every weight matrix (embeddings, position
 * table, projections, head) N(0, 0.02), norm weights 1, biases 0. Deterministic in the seed: the
 * same (shape, seed) always gives the same floats.
 */
public final class TransformerInit {
  /** The standard deviation of every initial weight matrix. */
  public static final double STD = 0.02;

  private TransformerInit() {}

  public static float[] parameters(TransformerShape shape, long seed) {
    return parameters(TransformerLayout.of(shape), seed, STD);
  }

  /**
   * @param std the weights' standard deviation (tests use larger ones for less trivial maths)
   */
  public static float[] parameters(TransformerLayout layout, long seed, double std) {
    float[] out = new float[layout.parameterCount()];
    SplittableRandom random = new SplittableRandom(seed);
    for (TransformerLayout.Tensor t : layout.tensors()) {
      String n = t.name();
      boolean norm = n.contains("norm") || n.contains("ln_");
      if (n.endsWith(".bias")) {
        continue; // zero
      }
      if (norm) {
        java.util.Arrays.fill(out, t.offset(), t.offset() + t.length(), 1f);
        continue;
      }
      for (int k = 0; k < t.length(); k++) {
        out[t.offset() + k] = (float) (std * gaussian(random));
      }
    }
    return out;
  }

  /** A standard normal draw (Box-Muller; one of the pair), from the stream only. */
  private static double gaussian(SplittableRandom random) {
    double u = 1.0 - random.nextDouble(); // (0, 1]
    double w = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * w);
  }
}
