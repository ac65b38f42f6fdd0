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
    this(aggregation, klCoefficient, klEstimator, entropyCoefficient, Backend.valueOf(
        Reference.config().getString("sparkrl.loss.backend").toUpperCase(java.util.Locale.ROOT)));
  }

  /** What the gradient sum is divided by. */
  public enum Aggregation {
    /** The number of completions: a mean over sequences (docs/algorithm.md, section 3). */
    SEQUENCE_MEAN,
    /** The number of completion tokens. */
    TOKEN_MEAN
  }

  public enum KlEstimator { K1, K3 }

  /** The backward pass: {@link LstmBackprop}, or DL4J's own ({@link Dl4jGradient}). */
  public enum Backend { FAST, DL4J }

  public static LossSettings from(Config config) {
    Section s = new Section(config, "sparkrl.loss");
    Aggregation aggregation = s.oneOf("aggregation", Set.of("sequence-mean", "token-mean"))
        .equals("sequence-mean") ? Aggregation.SEQUENCE_MEAN : Aggregation.TOKEN_MEAN;
    Section kl = s.child("kl");
    return new LossSettings(aggregation, kl.doubleIn("coefficient", 0, 1e6),
        KlEstimator.valueOf(kl.oneOf("estimator", Set.of("k1", "k3")).toUpperCase()),
        s.doubleIn("entropy-coefficient", 0, 1e6),
        Backend.valueOf(s.oneOf("backend", Set.of("fast", "dl4j")).toUpperCase()));
  }

  public boolean usesReference() {
    return klCoefficient > 0;
  }

  public boolean hasRegularizer() {
    return klCoefficient > 0 || entropyCoefficient > 0;
  }
}
