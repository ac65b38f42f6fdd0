package io.sparkrl.policy.transformer;

import io.sparkrl.vector.VectorModule;

/**
 * Which implementation multiplies the sampler's rows by the weights ({@link TransformerKernel}).
 * {@link #best()} is what the kernel uses: {@link #VECTOR_PANELS} where this JVM can run it,
 * {@link #OPENBLAS} otherwise. Both compute the same products; they differ by float rounding, so a
 * run's completions are reproducible on JVMs started with the same flags (every launch script of
 * this project and the job's executors get the same ones).
 */
public enum SamplingProducts {
  /** OpenBLAS sgemm ({@link BlasProducts}): any JVM. */
  OPENBLAS,
  /**
   * Pre-packed weight panels and the JDK's Vector API ({@link PanelProducts}): 2-2.4x OpenBLAS at
   * 16 rows. Needs {@code --add-modules=jdk.incubator.vector} on the JVM's command line and 256-bit
   * vectors (AVX2 or better).
   */
  VECTOR_PANELS;

  private static final String PANELS_CLASS = "io.sparkrl.policy.transformer.PanelProducts";

  /** Why {@link #VECTOR_PANELS} is not available here, or null when it is (checked once). */
  private static final String UNAVAILABLE = VectorModule.unavailable();

  private static final java.util.concurrent.atomic.AtomicBoolean LOGGED =
      new java.util.concurrent.atomic.AtomicBoolean();

  /**
   * The fastest this JVM runs; the first call says in the log which products sample and, for
   * OpenBLAS, why (on an executor a missing module flag is a 2x slower sampler, not an error).
   */
  public static SamplingProducts best() {
    if (LOGGED.compareAndSet(false, true)) {
      org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SamplingProducts.class);
      if (UNAVAILABLE == null) {
        log.info("transformer sampling: {}", describe());
      } else {
        log.warn("transformer sampling: {}", describe());
      }
    }
    return UNAVAILABLE == null ? VECTOR_PANELS : OPENBLAS;
  }

  /** Whether this JVM can run these products. */
  public boolean available() {
    return this == OPENBLAS || UNAVAILABLE == null;
  }

  /** One line for logs and benchmarks: the products {@link #best()} picks, and why. */
  public static String describe() {
    return UNAVAILABLE == null
        ? "vector panels (jdk.incubator.vector, " + VectorModule.preferredBits() + "-bit)"
        : "OpenBLAS sgemm (" + UNAVAILABLE + ")";
  }

  RowProducts create(FastWeights w, FastWorkspace ws) {
    if (this == OPENBLAS) {
      return new BlasProducts(w, ws);
    }
    // by name: the class links against the incubator module, absent from most JVMs
    return VectorModule.create(RowProducts.class, PANELS_CLASS, new Class<?>[] {FastWeights.class},
        w);
  }
}
