package io.sparkrl.job.hf;

import io.sparkrl.hf.HfFormatException;
import io.sparkrl.hf.HfImport;
import io.sparkrl.job.config.JobConfig;
import io.sparkrl.job.output.RunDirectory;
import io.sparkrl.policy.PolicySnapshot;
import io.sparkrl.tokenizer.FramedTokenizer;
import io.sparkrl.tokenizer.Tokenizer;
import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Where a run's starting policy comes from: {@code sparkrl.run.init-policy} as a policy file or a
 * Hugging Face model folder ({@link #isModelFolder}), with {@code sparkrl.tokenizer.template}
 * applied when set.
 */
public final class PolicySource {
  private PolicySource() {}

  /** Whether the path is a folder with a config.json (a Hugging Face model). */
  public static boolean isModelFolder(FileSystem fs, Path path) throws IOException {
    return fs.getFileStatus(path).isDirectory()
        && fs.isFile(new Path(path, io.sparkrl.hf.HfConfig.FILE_NAME));
  }

  /** The Hugging Face model in the folder, as a policy at step 0 (prompts as they are). */
  public static PolicySnapshot importFolder(FileSystem fs, Path path) throws IOException {
    try {
      return HfImport.read(new HadoopHfFolder(fs, path)).policy();
    } catch (HfFormatException e) {
      throw e;
    } catch (IOException e) {
      throw new HfFormatException(fs.makeQualified(path).toString(), "cannot import the model: "
          + e.getMessage(), e);
    }
  }

  /** {@code run.init-policy} with the configured template (a policy file keeps its own on ""). */
  public static PolicySnapshot initPolicy(JobConfig config, Configuration hadoop)
      throws IOException {
    PolicySnapshot policy = RunDirectory.readPolicy(config.job().run().initPolicy(), hadoop);
    return withTemplate(policy, HfSettings.from(config.config()).template());
  }

  /** The policy with prompts wrapped in {@code template}; "" leaves it as it is. */
  public static PolicySnapshot withTemplate(PolicySnapshot policy, String template) {
    if (template.isEmpty()) {
      return policy;
    }
    Tokenizer t = FramedTokenizer.withTemplate(policy.tokenizer(), template);
    return new PolicySnapshot(policy.architecture(), policy.parameters(), t, policy.step());
  }
}
