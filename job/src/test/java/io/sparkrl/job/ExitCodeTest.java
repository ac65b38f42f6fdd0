package io.sparkrl.job;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.sparkrl.job.corpus.CorpusException;
import io.sparkrl.job.output.PolicyFileException;
import java.io.IOException;
import org.apache.spark.SparkException;
import org.junit.jupiter.api.Test;

/** Bad input is recognised by the exception's type, through Spark's wrapping, not by its text. */
class ExitCodeTest {
  @Test
  void inputErrorsAreFoundByTypeInTheCauseChain() {
    CorpusException corpus = new CorpusException("a.parquet: cannot read");
    assertSame(corpus, ExitCode.inputError(new SparkException("Job aborted due to stage failure",
        new RuntimeException("task failed", corpus))));
    PolicyFileException policy = new PolicyFileException("policy file x does not exist");
    assertSame(policy, ExitCode.inputError(new IllegalStateException(policy)));
  }

  @Test
  void messagesDoNotMakeAnInputError() {
    assertNull(ExitCode.inputError(new IOException("cannot read policy file, said someone")));
    assertNull(ExitCode.inputError(new SparkException("... CorpusException ...")));
  }
}
