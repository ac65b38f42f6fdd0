package io.sparkrl.step;

import io.sparkrl.advantage.LinearAdvantage;
import java.io.Serializable;
import java.util.List;

/**
 * One prompt's whole group of G completions as the step scored them, for the completions log.
 * Arrays are indexed by sample (0..G−1); {@code functionScores[i][k]} is reward function k's
 * unweighted score of completion i.
 *
 * @param advantages A_i as the gradient used them, or null when the estimator needs the whole
 *     batch (batch-mean, whiten): the driver fills them in with {@link #withAdvantages}
 * @param lengths completion tokens, EOS included when sampled
 * @param finished false when the completion was cut at max-new-tokens
 */
public record CompletionSample(long promptId, String prompt, String reference,
    List<String> completions, double[] rewards, double[][] functionScores, double[] advantages,
    int[] lengths, boolean[] finished) implements Serializable {

  public CompletionSample {
    completions = List.copyOf(completions);
  }

  /** This group with {@code A_i = scale · r_i + offset} from the batch statistics. */
  public CompletionSample withAdvantages(LinearAdvantage linear) {
    double[] a = new double[rewards.length];
    for (int i = 0; i < a.length; i++) {
      a[i] = linear.apply(rewards[i]);
    }
    return new CompletionSample(promptId, prompt, reference, completions, rewards, functionScores,
        a, lengths, finished);
  }
}
