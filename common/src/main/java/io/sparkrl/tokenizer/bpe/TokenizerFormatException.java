package io.sparkrl.tokenizer.bpe;

import java.io.IOException;

/** A tokenizer file that cannot be used: the message names the file, the key and the problem. */
public final class TokenizerFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  public TokenizerFormatException(String source, String problem) {
    super(source + ": " + problem);
  }

  public TokenizerFormatException(String source, String problem, Throwable cause) {
    super(source + ": " + problem, cause);
  }
}
