package io.sparkrl.sampling;

import java.io.Serializable;

/**
 * A prompt ready for the policy: its corpus-wide id (which seeds its completions' randomness)
 * and its tokens {@code BOS prompt SEP}.
 */
public record Prompt(long id, int[] tokens) implements Serializable {
  public Prompt {
    if (tokens.length == 0) {
      throw new IllegalArgumentException("prompt " + id + " has no tokens");
    }
  }
}
