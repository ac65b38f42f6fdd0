package io.sparkrl.tokenizer.bpe;

import java.io.Serializable;

/**
 * A token of {@code tokenizer.json}'s {@code added_tokens}: matched in the text as a whole before
 * any pre-tokenizing, so that it is never split. {@code special} tokens are dropped by decode.
 * {@code lstrip}/{@code rstrip} let a match swallow the whitespace on its left/right;
 * {@code singleWord} matches only where no letter or digit touches it; {@code normalized} tokens
 * are matched in the normalized text, the others in the raw text.
 */
public record AddedToken(int id, String content, boolean special, boolean lstrip, boolean rstrip,
    boolean singleWord, boolean normalized) implements Serializable {
  public AddedToken {
    if (content == null || content.isEmpty()) {
      throw new IllegalArgumentException("added token " + id + " has no content");
    }
  }

  /** A special token as a trainer adds it: matched raw, nothing stripped. */
  public static AddedToken special(int id, String content) {
    return new AddedToken(id, content, true, false, false, false, false);
  }
}
