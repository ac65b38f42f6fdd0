package io.sparkrl.job.output;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkrl.policy.PolicySnapshot;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A run's directory on any Hadoop FileSystem:
 *
 * <pre>
 *   config.conf              the resolved configuration
 *   metrics.jsonl            one JSON object per step (and per evaluation)
 *   checkpoints/step-NNNNNNNN/  see {@link CheckpointStore}: policy.zip (DL4J), vocabulary.json,
 *                            optimizer.bin, baseline.bin, config.conf, metadata.json
 *   initial-policy.bin       the policy the run started from (the KL reference)
 *   policy.bin               the latest policy (what a later run's init-policy points at)
 *   summary.json             steps, rewards, accuracy, time, params_sha256, how the run ended
 *   evaluation.json          the evaluate command's figures (greedy accuracy, pass@1, pass@G)
 *   _SUCCESS                 written last, when the run completed
 * </pre>
 *
 * Every file a resume reads is written to a temporary name and renamed, so a killed run never
 * leaves a half-written one where resume would find it.
 */
public final class RunDirectory implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String POLICY = "policy.bin";
  static final String INITIAL_POLICY = "initial-policy.bin";
  static final String SUMMARY = "summary.json";
  static final String METRICS = "metrics.jsonl";
  private final FileSystem fs;
  private final Path root;
  private FSDataOutputStream metrics;

  public RunDirectory(String uri, Configuration hadoop) throws IOException {
    this.root = new Path(uri);
    this.fs = root.getFileSystem(hadoop);
    fs.mkdirs(root);
  }

  public String uri() {
    return fs.makeQualified(root).toString();
  }

  /** The run directory's file {@code name} (for the metrics CSV, completions log and report). */
  public Path path(String name) {
    return new Path(root, name);
  }

  public FileSystem fileSystem() {
    return fs;
  }

  public void writeConfig(String rendered) throws IOException {
    try (OutputStream out = fs.create(new Path(root, "config.conf"), true)) {
      out.write(rendered.getBytes(StandardCharsets.UTF_8));
    }
  }

  /**
   * Starts metrics.jsonl, keeping the lines of steps before {@code firstStep} (a resume replays the
   * steps after its checkpoint, whose lines are dropped so none is repeated). The kept lines are
   * written aside and renamed into place, so a kill at any moment loses none of them; lines are
   * then appended and flushed one by one (hflush: visible and durable on HDFS and the local
   * filesystem; object stores show the file only when it is closed).
   */
  public void openMetrics(long firstStep) throws IOException {
    FileSystem mfs = metricsFileSystem();
    Path file = new Path(root, METRICS);
    List<String> kept = new ArrayList<>();
    if (mfs.exists(file)) {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(mfs.open(file), StandardCharsets.UTF_8))) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          if (!line.isBlank() && stepOf(line) < firstStep) {
            kept.add(line);
          }
        }
      }
    }
    Path tmp = new Path(root, "_tmp-" + METRICS);
    try (OutputStream out = mfs.create(tmp, true)) {
      for (String line : kept) {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      }
    }
    mfs.delete(file, false);
    if (!mfs.rename(tmp, file)) {
      throw new IOException("could not rename " + tmp + " to " + file);
    }
    try {
      metrics = mfs.append(file);
    } catch (IOException | UnsupportedOperationException e) {
      // no append (object stores): rewrite; nothing is visible before close there anyway
      metrics = mfs.create(file, true);
      for (String line : kept) {
        metrics.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      }
    }
    metrics.hflush();
  }

  /** The step of a metrics line; a line cut short by a kill counts as after every step. */
  private static long stepOf(String line) {
    try {
      return JSON.readTree(line).path("step").asLong(Long.MAX_VALUE);
    } catch (IOException e) {
      return Long.MAX_VALUE;
    }
  }

  /**
   * The local filesystem's checksummed streams buffer whole chunks and lose them on SIGKILL; its
   * raw filesystem writes through on hflush. Other filesystems are used as they are.
   */
  private FileSystem metricsFileSystem() {
    return fs instanceof LocalFileSystem local ? local.getRaw() : fs;
  }

  public void appendMetrics(Map<String, Object> record) throws IOException {
    metrics.write((JSON.writeValueAsString(record) + "\n").getBytes(StandardCharsets.UTF_8));
    metrics.hflush();
  }

  public boolean hasCheckpoints() throws IOException {
    return !checkpoints().list().isEmpty();
  }

  /** The run's {@code checkpoints/} folder. */
  public CheckpointStore checkpoints() {
    return new CheckpointStore(fs, new Path(root, "checkpoints"));
  }

  /** The run's latest policy, at {@code policy.bin} (written aside, then renamed). */
  public void writePolicy(PolicySnapshot policy) throws IOException {
    writePolicy(policy, POLICY);
  }

  /**
   * The policy the run started from, at {@code initial-policy.bin}: the KL reference, which a
   * resumed run must read back exactly even if the file it came from has changed since.
   */
  public void writeInitialPolicy(PolicySnapshot policy) throws IOException {
    writePolicy(policy, INITIAL_POLICY);
  }

  public Optional<PolicySnapshot> initialPolicy() throws IOException {
    Path file = new Path(root, INITIAL_POLICY);
    return fs.exists(file) ? Optional.of(readPolicy(fs, file)) : Optional.empty();
  }

  private void writePolicy(PolicySnapshot policy, String name) throws IOException {
    Path tmp = new Path(root, "_tmp-" + name);
    try (OutputStream out = fs.create(tmp, true)) {
      policy.writeTo(out);
    }
    Path target = new Path(root, name);
    fs.delete(target, false);
    if (!fs.rename(tmp, target)) {
      throw new IOException("could not rename " + tmp + " to " + target);
    }
  }

  /** Writes {@code summary.json} (aside, then renamed). */
  public void writeSummary(Map<String, Object> summary) throws IOException {
    writeJson(SUMMARY, summary);
  }

  /** Writes {@code evaluation.json}, the evaluate command's figures (aside, then renamed). */
  public void writeEvaluation(Map<String, Object> evaluation) throws IOException {
    writeJson("evaluation.json", evaluation);
  }

  private void writeJson(String name, Map<String, Object> content) throws IOException {
    Path tmp = new Path(root, "_tmp-" + name);
    try (OutputStream out = fs.create(tmp, true)) {
      out.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(content));
    }
    Path target = new Path(root, name);
    fs.delete(target, false);
    if (!fs.rename(tmp, target)) {
      throw new IOException("could not rename " + tmp + " to " + target);
    }
  }

  /** The metrics lines written so far (for the summary). */
  public List<Map<String, Object>> readMetrics() throws IOException {
    Path file = new Path(root, METRICS);
    List<Map<String, Object>> out = new ArrayList<>();
    FileSystem mfs = metricsFileSystem();
    if (!mfs.exists(file)) {
      return out;
    }
    try (BufferedReader r = new BufferedReader(new InputStreamReader(mfs.open(file), StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (!line.isBlank()) {
          out.add(JSON.readValue(line, new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() {}));
        }
      }
    }
    return out;
  }

  public boolean isFinished() throws IOException {
    return fs.exists(new Path(root, "_SUCCESS"));
  }

  public void markSuccess() throws IOException {
    fs.create(new Path(root, "_SUCCESS"), true).close();
  }

  public void clearSuccess() throws IOException {
    fs.delete(new Path(root, "_SUCCESS"), false);
  }

  /**
   * Reads a policy file written by {@link #writePolicy} or a checkpoint, or imports a Hugging Face
   * model folder (one holding config.json), from any Hadoop URI.
   */
  public static PolicySnapshot readPolicy(String uri, Configuration hadoop) throws IOException {
    Path path = new Path(uri);
    return readPolicy(path.getFileSystem(hadoop), path);
  }

  private static PolicySnapshot readPolicy(FileSystem fs, Path path) throws IOException {
    if (!fs.exists(path)) {
      throw new PolicyFileException("policy file " + fs.makeQualified(path) + " does not exist");
    }
    if (io.sparkrl.job.hf.PolicySource.isModelFolder(fs, path)) {
      try {
        return io.sparkrl.job.hf.PolicySource.importFolder(fs, path);
      } catch (IOException e) {
        throw new IOException("cannot read policy from the Hugging Face folder "
            + fs.makeQualified(path) + ": " + e.getMessage(), e);
      }
    }
    try (InputStream in = fs.open(path)) {
      return PolicySnapshot.readFrom(in);
    } catch (IOException e) {
      throw new PolicyFileException("cannot read policy file " + fs.makeQualified(path) + ": "
          + e.getMessage(), e);
    }
  }

  @Override
  public void close() throws IOException {
    if (metrics != null) {
      metrics.close();
      metrics = null;
    }
  }
}
