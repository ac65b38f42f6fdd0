package io.sparkrl.step;

import io.sparkrl.gradient.GradientEngine;
import io.sparkrl.gradient.GradientSum;
import io.sparkrl.gradient.SequenceBatch;
import io.sparkrl.gradient.TrainingSequence;
import io.sparkrl.policy.PolicyCache;
import io.sparkrl.policy.PolicySnapshot;
import io.sparkrl.tokenizer.Tokenizer;
import io.sparkrl.tokenizer.UnknownCharacterMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An executor's share of a supervised (SFT) step, with no Spark in sight. Maximum likelihood of a
 * reference completion is the REINFORCE gradient with advantage 1 on that completion: the same
 * {@link GradientEngine} computes it, so SFT of any architecture runs through the same distributed
 * step (tasks return gradient sums; the driver divides by the global token count).
 *
 * <p>Examples are {@link PromptRecord}s whose {@code reference} is the reference completion.
 */
public final class SupervisedWorker {
  private final TrainerSettings settings;

  public SupervisedWorker(TrainerSettings settings) {
    this.settings = settings;
  }

  /** {@code prompt completion EOS}, the prompt as the tokenizer conditions completions on it. */
  public static TrainingSequence sequence(Tokenizer tokenizer, UnknownCharacterMode unknown,
      String prompt, String completion) {
    int[] p = tokenizer.encodePrompt(prompt, unknown);
    int[] c = tokenizer.encode(completion, unknown);
    int[] withEos = Arrays.copyOf(c, c.length + 1);
    withEos[c.length] = tokenizer.eosToken();
    return TrainingSequence.of(p, withEos);
  }

  /**
   * The gradient SUM of {@code -sum log pi(reference completion tokens)} over the examples, with the
   * loss sum (the summed negative log-likelihood) and the token count.
   */
  public GradientSum gradient(PolicySnapshot policy, List<PromptRecord> examples) {
    if (examples.isEmpty()) {
      return GradientSum.zero(policy.parameters().length);
    }
    SequenceBatch batch = batch(policy.tokenizer(), examples);
    double[] ones = new double[batch.size()];
    Arrays.fill(ones, 1);
    return engine(policy).sum(batch, ones, null, null);
  }

  /** {summed negative log-likelihood of the reference completions, their tokens}. */
  public double[] loss(PolicySnapshot policy, List<PromptRecord> examples) {
    if (examples.isEmpty()) {
      return new double[] {0, 0};
    }
    SequenceBatch batch = batch(policy.tokenizer(), examples);
    double nll = 0;
    for (double[] row : engine(policy).completionLogProbs(batch)) {
      for (double lp : row) {
        nll -= lp;
      }
    }
    return new double[] {nll, batch.completionTokens()};
  }

  private GradientEngine engine(PolicySnapshot policy) {
    return PolicyCache.model("policy", policy).gradient(settings.loss().backend(), "policy");
  }

  private SequenceBatch batch(Tokenizer tokenizer, List<PromptRecord> examples) {
    List<TrainingSequence> sequences = new ArrayList<>(examples.size());
    for (PromptRecord e : examples) {
      try {
        sequences.add(sequence(tokenizer, settings.tokenizer().unknown(), e.prompt(),
            e.reference()));
      } catch (IllegalArgumentException ex) {
        throw new IllegalArgumentException("example " + e.id() + ": " + ex.getMessage(), ex);
      }
    }
    return new SequenceBatch(sequences);
  }
}
