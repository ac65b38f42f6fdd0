package io.sparkrl.job.output;

import io.sparkrl.settings.SettingsException;
import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Resolves {@code sparkrl.run.init-from}: a checkpoint folder (it holds {@code metadata.json}) or
 * a run directory (its newest valid checkpoint). Called before Spark starts, so a wrong path is a
 * configuration error that costs nothing.
 */
public final class InitFrom {
  static final String KEY = "sparkrl.run.init-from";

  private InitFrom() {}

  public static CheckpointStore.Loaded resolve(String uri, Configuration hadoop) throws IOException {
    Path path = new Path(uri);
    FileSystem fs = path.getFileSystem(hadoop);
    if (fs.exists(new Path(path, CheckpointMetadata.NAME))) {
      try {
        return new CheckpointStore(fs, path.getParent()).load(path);
      } catch (InvalidCheckpointException e) {
        throw new SettingsException(KEY, uri, "the checkpoint is unusable: " + e.getMessage());
      }
    }
    if (fs.exists(new Path(path, "checkpoints"))) {
      return new CheckpointStore(fs, new Path(path, "checkpoints")).newestValid(false)
          .orElseThrow(() -> new SettingsException(KEY, uri,
              "the run directory has no usable checkpoint (see the warnings above)"));
    }
    throw new SettingsException(KEY, uri, "is neither a checkpoint folder (with "
        + CheckpointMetadata.NAME + ") nor a run directory with checkpoints/ (resolved to "
        + fs.makeQualified(path) + ")");
  }
}
