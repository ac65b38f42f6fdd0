package io.sparkrl.job.hf;

import io.sparkrl.hf.HfExport;
import io.sparkrl.hf.SafetensorsDtype;
import io.sparkrl.job.config.JobConfig;
import io.sparkrl.job.output.RunDirectory;
import io.sparkrl.policy.PolicySnapshot;
import io.sparkrl.policy.transformer.TransformerArchitecture;
import java.io.IOException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code <run.dir>/hf/}: the policy a run ends with as a Hugging Face folder
 * ({@code sparkrl.export.hf}, {@code sparkrl.export.dtype}), written into {@code _tmp-hf} and
 * renamed, so a folder called hf is always complete.
 */
public final class HfRunExport {
  public static final String FOLDER = "hf";
  private static final Logger LOG = LoggerFactory.getLogger(HfRunExport.class);

  private HfRunExport() {}

  /** Writes the run's hf/ folder when configured and the policy is a transformer; else nothing. */
  public static void write(JobConfig config, RunDirectory dir, PolicySnapshot policy)
      throws IOException {
    HfSettings hf = HfSettings.from(config.config());
    if (!hf.exportRuns() || !(policy.architecture() instanceof TransformerArchitecture)) {
      return;
    }
    String uri = write(policy, hf.exportDtype(), dir.fileSystem(), dir.path(FOLDER));
    LOG.info("Hugging Face folder of the policy (step {}): {}", policy.step(), uri);
  }

  /** Writes the policy's folder at {@code target} (aside, then renamed); returns its URI. */
  public static String write(PolicySnapshot policy, SafetensorsDtype dtype, FileSystem fs,
      Path target) throws IOException {
    Path tmp = new Path(target.getParent(), "_tmp-" + target.getName());
    fs.delete(tmp, true);
    HfExport.Written written = HfExport.write(policy, dtype, new HadoopHfFolder(fs, tmp));
    if (!written.tokenizer()) {
      LOG.warn("{} has no tokenizer.json: the policy's tokenizer is a character vocabulary, which"
          + " Hugging Face cannot load; train with a BPE tokenizer (sparkrl.tokenizer.file, see"
          + " the train-tokenizer command) to export a complete model", fs.makeQualified(target));
    }
    fs.delete(target, true);
    if (!fs.rename(tmp, target)) {
      throw new IOException("could not rename " + tmp + " to " + target);
    }
    return fs.makeQualified(target).toString();
  }
}
