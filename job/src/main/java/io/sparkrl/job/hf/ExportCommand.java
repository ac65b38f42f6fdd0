package io.sparkrl.job.hf;

import io.sparkrl.job.config.JobConfig;
import io.sparkrl.job.output.CheckpointMetadata;
import io.sparkrl.job.output.InitFrom;
import io.sparkrl.job.output.RunDirectory;
import io.sparkrl.policy.PolicySnapshot;
import io.sparkrl.policy.transformer.TransformerArchitecture;
import io.sparkrl.settings.SettingsException;
import java.io.IOException;
import java.io.PrintStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The {@code export} command: the policy of {@code sparkrl.export.from} (a policy file, a
 * checkpoint folder, a run directory's newest valid checkpoint, or a Hugging Face folder to
 * convert) written as a Hugging Face folder at {@code sparkrl.export.to}, tensors in
 * {@code sparkrl.export.dtype}. No Spark.
 */
public final class ExportCommand {
  private ExportCommand() {}

  public static void run(JobConfig config, Configuration hadoop, PrintStream out)
      throws IOException {
    HfSettings hf = HfSettings.from(config.config());
    if (hf.exportFrom().isEmpty()) {
      throw new SettingsException("sparkrl.export.from", "", "export needs the policy to write:"
          + " a policy file, a checkpoint folder or a run directory");
    }
    if (hf.exportTo().isEmpty()) {
      throw new SettingsException("sparkrl.export.to", "", "export needs the folder to write");
    }
    Path to = new Path(hf.exportTo());
    FileSystem fs = to.getFileSystem(hadoop);
    if (fs.exists(new Path(to, io.sparkrl.hf.HfConfig.FILE_NAME))) {
      throw new SettingsException("sparkrl.export.to", hf.exportTo(), "already holds a model"
          + " (config.json); choose a new folder");
    }
    PolicySnapshot policy = policy(hf.exportFrom(), hadoop);
    if (!(policy.architecture() instanceof TransformerArchitecture)) {
      throw new SettingsException("sparkrl.export.from", hf.exportFrom(), "is a "
          + policy.architecture() + " policy; only transformer policies have a Hugging Face form");
    }
    String uri = HfRunExport.write(policy, hf.exportDtype(), fs, to);
    out.println("wrote the policy of step " + policy.step() + " (" + policy.architecture() + ") to "
        + uri);
  }

  private static PolicySnapshot policy(String from, Configuration hadoop) throws IOException {
    Path path = new Path(from);
    FileSystem fs = path.getFileSystem(hadoop);
    if (!fs.exists(path)) {
      throw new SettingsException("sparkrl.export.from", from, "does not exist (resolved to "
          + fs.makeQualified(path) + ")");
    }
    if (fs.getFileStatus(path).isDirectory()
        && (fs.exists(new Path(path, CheckpointMetadata.NAME))
            || fs.exists(new Path(path, "checkpoints")))) {
      try {
        return InitFrom.resolve(from, hadoop).checkpoint().policy();
      } catch (SettingsException e) {
        throw new SettingsException("sparkrl.export.from", from, e.getMessage());
      }
    }
    return RunDirectory.readPolicy(from, hadoop);
  }
}
