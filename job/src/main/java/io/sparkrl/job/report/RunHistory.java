package io.sparkrl.job.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * What a run directory (running or finished, any Hadoop URI) says about the run: its
 * metrics.jsonl records, its configuration and its completions log.
 *
 * @param name a short label for charts: the directory's last path component
 */
public record RunHistory(String uri, String name, List<JsonNode> records, String config,
    List<JsonNode> completions) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public RunHistory {
    records = List.copyOf(records);
    completions = List.copyOf(completions);
  }

  /** @throws RunDirectoryException when the directory or its metrics.jsonl is missing or bad */
  public static RunHistory read(String uri, Configuration hadoop) throws RunDirectoryException {
    Path root = new Path(uri);
    try {
      FileSystem fs = root.getFileSystem(hadoop);
      String qualified = fs.makeQualified(root).toString();
      if (!fs.getFileStatus(root).isDirectory()) {
        throw new RunDirectoryException("run directory " + qualified + " is not a directory");
      }
      Path metrics = new Path(root, "metrics.jsonl");
      if (!fs.exists(metrics)) {
        throw new RunDirectoryException("run directory " + qualified + " has no metrics.jsonl"
            + " (is it a reinforce run directory, and has its first step finished?)");
      }
      List<JsonNode> records = jsonLines(fs, metrics);
      Path config = new Path(root, "config.conf");
      String conf = fs.exists(config) ? String.join("\n", lines(fs, config)) : "";
      Path completions = new Path(root, "completions.jsonl");
      List<JsonNode> samples = fs.exists(completions) ? jsonLines(fs, completions) : List.of();
      return new RunHistory(qualified, root.getName(), records, conf, samples);
    } catch (java.io.FileNotFoundException e) {
      throw new RunDirectoryException("run directory " + uri + " does not exist", e);
    } catch (RunDirectoryException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new RunDirectoryException("cannot read run directory " + uri + ": " + e.getMessage(), e);
    }
  }

  /** The same run under another chart label (compare gives equal names distinct labels). */
  public RunHistory named(String label) {
    return new RunHistory(uri, label, records, config, completions);
  }

  /** The training steps' records (not the evaluation before the first step). */
  public List<JsonNode> steps() {
    return records.stream().filter(r -> !r.has("phase")).toList();
  }

  /**
   * One metric against the steps done: x = step + 1 for a step's record (its figures are of the
   * update that step applied), x = 0 for the evaluation before training. {@code field} may be
   * dotted ({@code phases.tasks_ms}); records without it are left out.
   */
  public Series series(String field, String label) {
    List<double[]> points = new ArrayList<>();
    for (JsonNode r : records) {
      JsonNode v = r;
      for (String part : field.split("\\.", 2)) {
        v = v.path(part);
      }
      if (v.isNumber()) {
        double x = r.has("phase") ? 0 : r.path("step").asLong() + 1;
        points.add(new double[] {x, v.asDouble()});
      }
    }
    double[] x = new double[points.size()];
    double[] y = new double[points.size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = points.get(i)[0];
      y[i] = points.get(i)[1];
    }
    return new Series(label, x, y);
  }

  /** The field names under {@code reward_functions} of the latest step, in record order. */
  public List<String> rewardFunctions() {
    List<JsonNode> steps = steps();
    List<String> names = new ArrayList<>();
    if (!steps.isEmpty()) {
      steps.get(steps.size() - 1).path("reward_functions").fieldNames().forEachRemaining(names::add);
    }
    return names;
  }

  private static List<JsonNode> jsonLines(FileSystem fs, Path file) throws IOException {
    List<JsonNode> nodes = new ArrayList<>();
    List<String> lines = lines(fs, file);
    int n = 0;
    for (String line : lines) {
      n++;
      if (line.isBlank()) {
        continue;
      }
      try {
        nodes.add(JSON.readTree(line));
      } catch (IOException e) {
        // a running job may be mid-way through its last line: ignore only that one
        if (n < lines.size()) {
          throw new RunDirectoryException(file + " line " + n + " is not JSON: " + e.getMessage(), e);
        }
      }
    }
    return nodes;
  }

  private static List<String> lines(FileSystem fs, Path file) throws IOException {
    List<String> lines = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(fs.open(file), StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        lines.add(line);
      }
    }
    return lines;
  }
}
