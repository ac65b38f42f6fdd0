package io.sparkrl.job.output;

/** A checkpoint that is partial or corrupt: a file missing, or not matching its checksum. */
public final class InvalidCheckpointException extends RuntimeException {
  public InvalidCheckpointException(String message) {
    super(message);
  }
}
