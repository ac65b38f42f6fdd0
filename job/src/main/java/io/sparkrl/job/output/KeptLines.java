package io.sparkrl.job.output;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The lines of a run directory's text file, for logs that a resumed run rewrites: Hadoop
 * FileSystems cannot truncate or (on object stores) append, so a resume reads the lines of the
 * steps before it and writes them again.
 */
final class KeptLines {
  private KeptLines() {}

  /** Every non-blank line of {@code file}; none when it does not exist. */
  static List<String> read(FileSystem fs, Path file) throws IOException {
    List<String> lines = new ArrayList<>();
    if (!fs.exists(file)) {
      return lines;
    }
    try (BufferedReader r = new BufferedReader(
        new InputStreamReader(fs.open(file), StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (!line.isBlank()) {
          lines.add(line);
        }
      }
    }
    return lines;
  }
}
