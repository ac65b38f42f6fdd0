package io.sparkrl.sampling;

import java.io.Serializable;

/**
 * One sampled completion.
 *
 * @param tokens the sampled tokens, EOS included when the policy emitted it
 * @param logProbs log pi(token) under the (untempered) policy, one per token
 * @param finished true when the completion ended with EOS, false when cut at max-new-tokens
 */
public record Completion(long promptId, int sampleIndex, int[] tokens, float[] logProbs,
    boolean finished) implements Serializable {

  /** The tokens without the final EOS: what decodes to the completion's text. */
  public int textLength() {
    return finished ? tokens.length - 1 : tokens.length;
  }
}
