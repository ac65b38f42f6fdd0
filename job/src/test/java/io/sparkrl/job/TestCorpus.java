package io.sparkrl.job;

import io.sparkrl.job.config.JobSettings;
import io.sparkrl.job.corpus.ArithmeticTask;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;

/** The bundled arithmetic corpus, written into a test's temporary directory. */
public final class TestCorpus {
  private TestCorpus() {}

  public static List<String> write(Path dir, int maxOperand, long seed) throws IOException {
    return write(dir, maxOperand, seed, List.of("The answer is %d."));
  }

  public static List<String> write(Path dir, int maxOperand, long seed, List<String> phrasings)
      throws IOException {
    return ArithmeticTask.write(ArithmeticTask.generate(
        new JobSettings.Arithmetic(dir.toString(), maxOperand, 0, 0.2, seed, phrasings),
        new JobSettings.Corpus("", "", "prompt", "answer", "completion")), dir.toString(),
        new Configuration());
  }
}
