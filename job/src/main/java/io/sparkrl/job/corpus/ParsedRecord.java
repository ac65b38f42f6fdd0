package io.sparkrl.job.corpus;

import java.io.Serializable;

/**
 * One corpus record after parsing and checking, in a task: a good row, or a malformed record's
 * description ("FILE:LINE (byte N): problem" or "FILE row N: problem").
 */
public record ParsedRecord(CorpusRow row, String problem) implements Serializable {
  public static ParsedRecord good(CorpusRow row) {
    return new ParsedRecord(row, null);
  }

  public static ParsedRecord malformed(String location, String problem) {
    return new ParsedRecord(null, location + ": " + problem);
  }

  public boolean isMalformed() {
    return problem != null;
  }
}
