package io.sparkrl.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A malformed corpus line stops the job with exit code 3, naming the file and the line's offset. */
class BadCorpusTest {
  @Test
  void malformedLineExitsThreeNamingFileAndOffset(@TempDir Path tmp) throws Exception {
    Path corpus = tmp.resolve("train.jsonl");
    String good = "{\"prompt\":\"How much is 1+1?\",\"answer\":\"2\"}\n";
    Files.writeString(corpus, good + good + "{\"prompt\":\"How much is 2+2?\"}\n" + good);
    System.setProperty("spark.master", "local[2]");
    System.setProperty("spark.ui.enabled", "false");
    try {
      var o = MainConfigurationTest.run("reinforce", "corpus.train=\"" + corpus + "\"",
          "corpus.eval=\"\"", "run.dir=\"" + tmp.resolve("run") + "\"",
          "run.prompts-per-step=2");
      assertEquals(Main.BAD_INPUT, o.code(), o.stderr());
      assertTrue(o.stderr().contains(corpus.getFileName().toString()), o.stderr());
      assertTrue(o.stderr().contains("at byte " + 2 * good.length()), o.stderr());
      assertTrue(o.stderr().contains("missing field \"answer\""), o.stderr());
      assertFalse(Files.exists(tmp.resolve("run/_SUCCESS")));
    } finally {
      System.clearProperty("spark.master");
      System.clearProperty("spark.ui.enabled");
    }
  }
}
