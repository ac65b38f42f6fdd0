package io.sparkrl.job.report;

import java.io.IOException;

/** A run directory that is missing or has no readable metrics: bad input (exit code 2). */
public final class RunDirectoryException extends IOException {
  public RunDirectoryException(String message) {
    super(message);
  }

  public RunDirectoryException(String message, Throwable cause) {
    super(message, cause);
  }
}
