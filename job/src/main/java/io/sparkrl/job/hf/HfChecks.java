package io.sparkrl.job.hf;

import io.sparkrl.job.config.JobConfig;
import io.sparkrl.settings.SettingsException;
import java.io.IOException;
import org.apache.hadoop.conf.Configuration;

/**
 * The Hugging Face settings checked before Spark starts: the keys' values
 * ({@link HfSettings}), and for a run that builds a fresh policy, the tokenizer file (read
 * whole, so a file that is not a tokenizer.json is an input error that costs nothing). An
 * {@code run.init-policy} folder is imported by the policy check Main already makes.
 */
public final class HfChecks {
  private HfChecks() {}

  public static void beforeSpark(String command, JobConfig config, Configuration hadoop)
      throws IOException {
    HfSettings hf = HfSettings.from(config.config());
    boolean training = command.equals("sft") || command.equals("reinforce");
    if (!training) {
      return;
    }
    if (command.equals("sft") && dl4jSpark(config)
        && (!hf.tokenizerFile().isEmpty() || !hf.template().isEmpty())) {
      String key = hf.tokenizerFile().isEmpty() ? "sparkrl.tokenizer.template"
          : "sparkrl.tokenizer.file";
      throw new SettingsException(key, hf.tokenizerFile().isEmpty() ? hf.template()
          : hf.tokenizerFile(), "the dl4j-spark sft engine (the LSTM's) uses the corpus's"
          + " characters as they are; set sparkrl.sft.engine = gradient-sums");
    }
    String init = config.job().run().initPolicy();
    if (command.equals("sft") && dl4jSpark(config) && !init.isEmpty()) {
      org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(init);
      org.apache.hadoop.fs.FileSystem fs = path.getFileSystem(hadoop);
      if (fs.exists(path) && PolicySource.isModelFolder(fs, path)) {
        throw new SettingsException("sparkrl.sft.engine", config.job().sft().engine(), "a Hugging"
            + " Face model (run.init-policy = " + init + ") trains with the gradient-sums engine;"
            + " set sparkrl.sft.engine = gradient-sums or sparkrl.policy.architecture ="
            + " transformer");
      }
    }
    boolean fresh = config.job().run().initPolicy().isEmpty()
        && config.job().run().initFrom().isEmpty();
    if (fresh && !hf.tokenizerFile().isEmpty()) {
      TokenizerFiles.read(hf.tokenizerFile(), hadoop);
    }
  }

  private static boolean dl4jSpark(JobConfig config) {
    String engine = config.job().sft().engine();
    return engine.equals("dl4j-spark") || engine.equals("auto")
        && config.trainer().policy().architecture().equals("lstm");
  }
}
