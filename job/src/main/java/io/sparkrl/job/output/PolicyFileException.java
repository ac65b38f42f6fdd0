package io.sparkrl.job.output;

import java.io.IOException;

/** A policy file ({@code run.init-policy}, a run's {@code policy.bin}) that is missing or unreadable. */
public final class PolicyFileException extends IOException {
  public PolicyFileException(String message) {
    super(message);
  }

  public PolicyFileException(String message, Throwable cause) {
    super(message, cause);
  }
}
