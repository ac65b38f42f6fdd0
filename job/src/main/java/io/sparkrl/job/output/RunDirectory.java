package io.sparkrl.job.output;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkrl.optim.AdamWState;
import io.sparkrl.policy.PolicySnapshot;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A run's directory on any Hadoop FileSystem:
 *
 * <pre>
 *   config.conf              the resolved configuration
 *   metrics.jsonl            one JSON object per step (and per evaluation)
 *   checkpoints/step-NNNNNNNN/{policy.bin, optimizer.bin, baseline.bin}
 *   policy.bin               the latest policy (what a later run's init-policy points at)
 *   _SUCCESS                 written last, when the run completed
 * </pre>
 *
 * Checkpoints are written to a temporary name and renamed, so a killed run never leaves a
 * half-written one where resume would find it.
 */
public final class RunDirectory implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
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

  /** Starts metrics.jsonl, keeping the lines of steps before {@code firstStep} (for a resume). */
  public void openMetrics(long firstStep) throws IOException {
    Path file = new Path(root, "metrics.jsonl");
    List<String> kept = new ArrayList<>();
    if (fs.exists(file)) {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(fs.open(file), StandardCharsets.UTF_8))) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          if (!line.isBlank() && JSON.readTree(line).path("step").asLong(Long.MAX_VALUE) < firstStep) {
            kept.add(line);
          }
        }
      }
    }
    metrics = fs.create(file, true);
    for (String line : kept) {
      metrics.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    }
    metrics.hflush();
  }

  public void appendMetrics(Map<String, Object> record) throws IOException {
    metrics.write((JSON.writeValueAsString(record) + "\n").getBytes(StandardCharsets.UTF_8));
    metrics.hflush();
  }

  public boolean hasCheckpoints() throws IOException {
    return latestCheckpoint().isPresent();
  }

  public void writeCheckpoint(Checkpoint c) throws IOException {
    Path dir = new Path(root, String.format("checkpoints/step-%08d", c.policy().step()));
    Path tmp = new Path(root, String.format("checkpoints/_tmp-step-%08d", c.policy().step()));
    fs.delete(tmp, true);
    fs.mkdirs(tmp);
    try (OutputStream out = fs.create(new Path(tmp, Checkpoint.POLICY), true)) {
      c.policy().writeTo(out);
    }
    try (DataOutputStream out = new DataOutputStream(fs.create(new Path(tmp, Checkpoint.OPTIMIZER), true))) {
      c.writeOptimizer(out);
    }
    try (DataOutputStream out = new DataOutputStream(fs.create(new Path(tmp, Checkpoint.BASELINE), true))) {
      Checkpoint.writeBaseline(c.ema(), out);
    }
    fs.delete(dir, true);
    if (!fs.rename(tmp, dir)) {
      throw new IOException("could not rename " + tmp + " to " + dir);
    }
    writePolicy(c.policy());
  }

  /** The run's latest policy, at {@code policy.bin}. */
  public void writePolicy(PolicySnapshot policy) throws IOException {
    try (OutputStream out = fs.create(new Path(root, Checkpoint.POLICY), true)) {
      policy.writeTo(out);
    }
  }

  public Optional<Checkpoint> latestCheckpoint() throws IOException {
    Path dir = new Path(root, "checkpoints");
    if (!fs.exists(dir)) {
      return Optional.empty();
    }
    Optional<FileStatus> latest = Arrays.stream(fs.listStatus(dir))
        .filter(s -> s.isDirectory() && s.getPath().getName().startsWith("step-"))
        .max(Comparator.comparing(s -> s.getPath().getName()));
    if (latest.isEmpty()) {
      return Optional.empty();
    }
    Path c = latest.get().getPath();
    PolicySnapshot policy = readPolicy(fs, new Path(c, Checkpoint.POLICY));
    AdamWState optimizer;
    try (DataInputStream in = new DataInputStream(fs.open(new Path(c, Checkpoint.OPTIMIZER)))) {
      optimizer = AdamWState.readFrom(in);
    }
    try (DataInputStream in = new DataInputStream(fs.open(new Path(c, Checkpoint.BASELINE)))) {
      return Optional.of(new Checkpoint(policy, optimizer, Checkpoint.readBaseline(in)));
    }
  }

  public void markSuccess() throws IOException {
    fs.create(new Path(root, "_SUCCESS"), true).close();
  }

  public void clearSuccess() throws IOException {
    fs.delete(new Path(root, "_SUCCESS"), false);
  }

  /** Reads a policy file written by {@link #writePolicy} or a checkpoint, from any Hadoop URI. */
  public static PolicySnapshot readPolicy(String uri, Configuration hadoop) throws IOException {
    Path path = new Path(uri);
    return readPolicy(path.getFileSystem(hadoop), path);
  }

  private static PolicySnapshot readPolicy(FileSystem fs, Path path) throws IOException {
    if (!fs.exists(path)) {
      throw new IOException("policy file " + fs.makeQualified(path) + " does not exist");
    }
    try (InputStream in = fs.open(path)) {
      return PolicySnapshot.readFrom(in);
    } catch (IOException e) {
      throw new IOException("cannot read policy file " + fs.makeQualified(path) + ": " + e.getMessage(), e);
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
