package io.sparkrl.job.corpus;

/** A corpus that cannot be read: missing, empty, or with a malformed row (the message says where). */
public final class CorpusException extends RuntimeException {
  public CorpusException(String message) {
    super(message);
  }

  public CorpusException(String message, Throwable cause) {
    super(message, cause);
  }
}
