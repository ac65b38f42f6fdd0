package io.sparkrl.job.output;

import io.sparkrl.policy.Architectures;
import io.sparkrl.policy.ParamsDigest;
import io.sparkrl.policy.PolicySnapshot;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code checkpoints/} folder of a run directory, on any Hadoop FileSystem.
 *
 * <p>Writing: every file goes into {@code _tmp-step-N/}, {@code metadata.json} (sizes and SHA-256
 * of the others, and {@code params_sha256}) last, then the folder is renamed to {@code step-N}.
 * On HDFS the rename is atomic; on object stores (s3a) it is a copy, and a copy cut short lacks
 * files or has files that do not match the metadata — either way it is detected and passed over.
 * After a write only the newest {@code keep} checkpoints remain.
 *
 * <p>Reading: the newest {@code step-N} whose files all match their checksums (and whose parameters
 * match {@code params_sha256}) is used; each one passed over is reported with the reason and
 * renamed to {@code unusable-step-N}, out of the way of later resumes and of pruning.
 */
public final class CheckpointStore {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);
  static final String PREFIX = "step-";
  static final String TEMPORARY = "_tmp-";
  static final String UNUSABLE = "unusable-";

  private final FileSystem fs;
  private final Path dir;

  public CheckpointStore(FileSystem fs, Path dir) {
    this.fs = fs;
    this.dir = dir;
  }

  /** A checkpoint read back and verified, with where it came from. */
  public record Loaded(Checkpoint checkpoint, CheckpointMetadata metadata, String uri) {}

  /** Writes and commits the checkpoint of {@code c.policy().step()}; returns its metadata. */
  public CheckpointMetadata write(Checkpoint c, DataCursor cursor, String config, int keep)
      throws IOException {
    long step = c.policy().step();
    Path tmp = new Path(dir, String.format("%s%s%08d", TEMPORARY, PREFIX, step));
    Path target = new Path(dir, String.format("%s%08d", PREFIX, step));
    fs.delete(tmp, true);
    fs.mkdirs(tmp);
    Map<String, CheckpointMetadata.FileEntry> files = new LinkedHashMap<>();
    for (Map.Entry<String, byte[]> f : c.policyFiles().entrySet()) {
      files.put(f.getKey(), writeFile(tmp, f.getKey(), f.getValue()));
    }
    files.put(Checkpoint.OPTIMIZER, writeFile(tmp, Checkpoint.OPTIMIZER, c.optimizerFile()));
    FaultPoint.reach("checkpoint-write", step);
    files.put(Checkpoint.BASELINE, writeFile(tmp, Checkpoint.BASELINE, c.baselineFile()));
    files.put(Checkpoint.CONFIG, writeFile(tmp, Checkpoint.CONFIG,
        config.getBytes(StandardCharsets.UTF_8)));
    CheckpointMetadata metadata = new CheckpointMetadata(CheckpointMetadata.FORMAT, step,
        ParamsDigest.sha256(c.policy().parameters()), c.policy().parameters().length, cursor, files,
        Instant.now().toString());
    writeFile(tmp, CheckpointMetadata.NAME, metadata.toJson());
    fs.delete(target, true); // an unusable checkpoint of the same step, passed over on resume
    if (!fs.rename(tmp, target)) {
      throw new IOException("could not rename " + tmp + " to " + target);
    }
    prune(keep);
    return metadata;
  }

  private CheckpointMetadata.FileEntry writeFile(Path folder, String name, byte[] bytes)
      throws IOException {
    try (OutputStream out = fs.create(new Path(folder, name), true)) {
      out.write(bytes);
    }
    return new CheckpointMetadata.FileEntry(bytes.length, ParamsDigest.sha256(bytes));
  }

  /** Committed checkpoint folders, newest first. */
  public List<Path> list() throws IOException {
    if (!fs.exists(dir)) {
      return List.of();
    }
    return Arrays.stream(fs.listStatus(dir))
        .filter(s -> s.isDirectory() && s.getPath().getName().startsWith(PREFIX))
        .map(FileStatus::getPath)
        .sorted(Comparator.comparing(Path::getName).reversed())
        .toList();
  }

  /**
   * The newest checkpoint that verifies, reporting each newer one passed over and why, and (with
   * {@code setAside}, for the run's own directory) renaming it {@code unusable-step-N}.
   */
  public Optional<Loaded> newestValid(boolean setAside) throws IOException {
    for (Path p : list()) {
      try {
        return Optional.of(load(p));
      } catch (InvalidCheckpointException e) {
        if (!setAside) {
          LOG.warn("checkpoint {} is unusable and is passed over: {}", fs.makeQualified(p),
              e.getMessage());
          continue;
        }
        Path aside = new Path(dir, UNUSABLE + p.getName());
        LOG.warn("checkpoint {} is unusable and is passed over: {}. It is kept, for inspection, as {}",
            fs.makeQualified(p), e.getMessage(), aside.getName());
        fs.delete(aside, true);
        if (!fs.rename(p, aside)) {
          throw new IOException("could not rename the unusable checkpoint " + p + " to " + aside);
        }
      }
    }
    return Optional.empty();
  }

  /** Reads and verifies one checkpoint folder. */
  public Loaded load(Path folder) throws IOException {
    byte[] metaBytes = readIfExists(new Path(folder, CheckpointMetadata.NAME));
    if (metaBytes == null) {
      throw new InvalidCheckpointException("no " + CheckpointMetadata.NAME
          + " (the write did not finish)");
    }
    CheckpointMetadata meta = CheckpointMetadata.parse(metaBytes);
    Map<String, byte[]> content = new LinkedHashMap<>();
    for (String name : List.of(Checkpoint.OPTIMIZER, Checkpoint.BASELINE, Checkpoint.CONFIG)) {
      if (!meta.files().containsKey(name)) {
        throw new InvalidCheckpointException(CheckpointMetadata.NAME + " does not list " + name);
      }
    }
    Map<String, byte[]> policyFiles = new LinkedHashMap<>();
    for (Map.Entry<String, CheckpointMetadata.FileEntry> listed : meta.files().entrySet()) {
      String name = listed.getKey();
      CheckpointMetadata.FileEntry expected = listed.getValue();
      byte[] bytes = readIfExists(new Path(folder, name));
      if (bytes == null) {
        throw new InvalidCheckpointException(name + " is missing");
      }
      if (bytes.length != expected.bytes()) {
        throw new InvalidCheckpointException(name + " has " + bytes.length + " bytes, "
            + CheckpointMetadata.NAME + " says " + expected.bytes());
      }
      String sha = ParamsDigest.sha256(bytes);
      if (!sha.equals(expected.sha256())) {
        throw new InvalidCheckpointException(name + " has SHA-256 " + sha + ", "
            + CheckpointMetadata.NAME + " says " + expected.sha256());
      }
      content.put(name, bytes);
      if (Architectures.policyFileNames().contains(name)) {
        policyFiles.put(name, bytes);
      }
    }
    Checkpoint c;
    try {
      PolicySnapshot policy = Checkpoint.readPolicy(policyFiles, meta.step());
      c = new Checkpoint(policy, Checkpoint.readOptimizer(content.get(Checkpoint.OPTIMIZER)),
          Checkpoint.readBaseline(content.get(Checkpoint.BASELINE)));
    } catch (IOException | RuntimeException e) {
      if (e instanceof InvalidCheckpointException ice) {
        throw ice;
      }
      throw new InvalidCheckpointException("its files match their checksums but cannot be read: " + e);
    }
    String params = ParamsDigest.sha256(c.policy().parameters());
    if (!params.equals(meta.paramsSha256())) {
      throw new InvalidCheckpointException("the parameters have SHA-256 " + params
          + ", params_sha256 says " + meta.paramsSha256());
    }
    return new Loaded(c, meta, fs.makeQualified(folder).toString());
  }

  /** Removes the folders of checkpoint writes that never finished (a killed run's). */
  public void removeUnfinished() throws IOException {
    if (!fs.exists(dir)) {
      return;
    }
    for (FileStatus s : fs.listStatus(dir)) {
      if (s.getPath().getName().startsWith(TEMPORARY)) {
        LOG.info("removing {}, a checkpoint write that did not finish", fs.makeQualified(s.getPath()));
        fs.delete(s.getPath(), true);
      }
    }
  }

  /** Keeps the newest {@code keep} checkpoints (0 keeps all). */
  void prune(int keep) throws IOException {
    if (keep <= 0) {
      return;
    }
    List<Path> all = list();
    for (Path old : all.subList(Math.min(keep, all.size()), all.size())) {
      fs.delete(old, true);
    }
  }

  private byte[] readIfExists(Path file) throws IOException {
    if (!fs.exists(file)) {
      return null;
    }
    try (InputStream in = fs.open(file)) {
      return in.readAllBytes();
    } catch (org.apache.hadoop.fs.ChecksumException e) {
      // the filesystem's own block checksums (HDFS, or the local FS's .crc files) caught it first
      throw new InvalidCheckpointException(file.getName() + " fails the filesystem's checksum: "
          + e.getMessage());
    }
  }
}
