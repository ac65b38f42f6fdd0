package io.sparkrl.job.corpus;

/** What a malformed corpus record does ({@code sparkrl.corpus.malformed}). */
public enum MalformedMode {
  /** Stop before training, naming the first malformed record's file, position and problem. */
  FAIL,
  /** Leave it out: count the malformed records, log the first few, keep every good one. */
  SKIP
}
