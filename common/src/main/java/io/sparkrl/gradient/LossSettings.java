package io.sparkrl.gradient;

import com.typesafe.config.Config;
import io.sparkrl.settings.Reference;
import io.sparkrl.settings.Section;
import java.io.Serializable;
import java.util.Set;

/**
 * Settings under {@code sparkrl.loss}.
 *
 * @param backend which backward pass computes the gradient sums
 */
public record LossSettings(Aggregation aggregation, double klCoefficient, KlEstimator klEstimator,
    double entropyCoefficient, Backend backend) implements Serializable {

  /** With reference.conf's {@code sparkrl.loss.backend}. */
  public LossSettings(Aggregation aggregation, double klCoefficient, KlEstimator klEstimator,
      double entropyCoefficient) {
    this(aggregation, klCoefficient, klEstimator, entropyCoefficient,
        Backend.parse(Reference.config().getString("sparkrl.loss.backend")));
  }

  /** What the gradient sum is divided by. */
  public enum Aggregation {
    /** The number of completions: a mean over sequences (docs/algorithm.md, section 3). */
    SEQUENCE_MEAN,
    /** The number of completion tokens. */
    TOKEN_MEAN
  }

  public enum KlEstimator { K1, K3 }

  /**
   * The backward pass: {@code fast}, the policy's CPU path (plain Java loops and direct OpenBLAS
   * calls: {@code LstmBackprop}, {@code TransformerBackprop}); {@code dl4j}, the policy's DL4J/ND4J
   * ops (the reference the fast path is tested against, and what runs on the GPU under the CUDA
   * backend); {@code auto}, {@code dl4j} when ND4J's backend is CUDA, else {@code fast}. Resolved
   * on the executor, where the backend is known.
   */
  public enum Backend {
    AUTO,
    FAST,
    DL4J;

    /** The names accepted in configuration. */
    public static final Set<String> NAMES = Set.of("auto", "fast", "dl4j");

    /** The pass of one of {@link #NAMES}. */
    public static Backend parse(String name) {
      return valueOf(name.toUpperCase(java.util.Locale.ROOT));
    }

    /** The concrete pass: {@code auto} becomes {@code dl4j} on a CUDA backend, else fast. */
    public Backend resolve(boolean cudaBackend) {
      if (this != AUTO) {
        return this;
      }
      return cudaBackend ? DL4J : FAST;
    }

    /** {@link #resolve} for the ND4J backend loaded in this JVM. */
    public Backend onLoadedBackend() {
      return resolve(io.sparkrl.policy.DeviceBinding.nd4j().isCuda());
    }
  }

  public static LossSettings from(Config config) {
    Section s = new Section(config, "sparkrl.loss");
    Aggregation aggregation = s.oneOf("aggregation", Set.of("sequence-mean", "token-mean"))
        .equals("sequence-mean") ? Aggregation.SEQUENCE_MEAN : Aggregation.TOKEN_MEAN;
    Section kl = s.child("kl");
    return new LossSettings(aggregation, kl.doubleIn("coefficient", 0, 1e6),
        KlEstimator.valueOf(kl.oneOf("estimator", Set.of("k1", "k3")).toUpperCase()),
        s.doubleIn("entropy-coefficient", 0, 1e6),
        Backend.parse(s.oneOf("backend", Backend.NAMES)));
  }

  public boolean usesReference() {
    return klCoefficient > 0;
  }

  public boolean hasRegularizer() {
    return klCoefficient > 0 || entropyCoefficient > 0;
  }
}
