package io.sparkrl.hf;

import java.io.IOException;

/**
 * A Hugging Face model folder that cannot be used as it is: a missing or malformed file, a key of
 * {@code config.json} with an unsupported value, a tensor that is missing, unused or of the wrong
 * shape. The message names the file, the key or tensor, and the problem.
 */
public final class HfFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  public HfFormatException(String file, String problem) {
    super(file + ": " + problem);
  }

  public HfFormatException(String file, String problem, Throwable cause) {
    super(file + ": " + problem, cause);
  }
}
