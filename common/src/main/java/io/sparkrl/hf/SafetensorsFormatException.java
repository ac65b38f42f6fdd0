package io.sparkrl.hf;

import java.io.IOException;

/** A safetensors file (or its index) that is not what the format says; the message names the file. */
public final class SafetensorsFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  public SafetensorsFormatException(String source, String problem) {
    super(source + ": " + problem);
  }

  public SafetensorsFormatException(String source, String problem, Throwable cause) {
    super(source + ": " + problem, cause);
  }
}
