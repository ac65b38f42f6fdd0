package io.sparkrl.job;

import io.sparkrl.job.corpus.CorpusException;
import io.sparkrl.job.output.InvalidCheckpointException;
import io.sparkrl.job.output.PolicyFileException;
import io.sparkrl.tokenizer.UnknownCharacterException;
import java.io.FileNotFoundException;

/**
 * The process exit codes of {@link Main} and the report commands (README, "Exit codes"), and which
 * failures are bad input: decided by the exception's type, found anywhere in the cause chain (a
 * failure inside a Spark task reaches the driver as a {@code SparkException} whose cause is the
 * task's exception), never by its message.
 */
public final class ExitCode {
  public static final int OK = 0;
  public static final int FAILED = 1;
  public static final int BAD_CONFIGURATION = 2;
  /** Bad input data: the same code as bad configuration, the message says which. */
  public static final int BAD_INPUT = 2;
  public static final int NON_FINITE_UPDATES = 4;
  /** EX_TEMPFAIL of sysexits.h: not finished, run the same command again to continue. */
  public static final int NOT_FINISHED = 75;

  private ExitCode() {}

  /** The corpus, policy or checkpoint problem behind a failure, or null when it is none. */
  public static Throwable inputError(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof CorpusException || t instanceof FileNotFoundException
          || t instanceof UnknownCharacterException || t instanceof InvalidCheckpointException
          || t instanceof PolicyFileException
          || t instanceof io.sparkrl.hf.HfFormatException
          || t instanceof io.sparkrl.hf.SafetensorsFormatException
          || t instanceof io.sparkrl.tokenizer.bpe.TokenizerFormatException) {
        return t;
      }
    }
    return null;
  }
}
