package io.sparkrl.job.output;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * metrics.csv, the spreadsheet twin of metrics.jsonl: one row per record, nested objects
 * flattened to dotted columns ({@code phases.tasks_ms}), numbers written exactly as in the JSON
 * (Java's shortest round-trip form), absent values empty, RFC 4180 quoting.
 *
 * <p>The header is fixed when the file is opened. A resumed run keeps the rows of the steps
 * before it under the same header; rows written under an older header are carried over by
 * column name, so a file never has two headers.
 */
public final class MetricsCsv implements AutoCloseable {
  private final List<String> columns;
  private final FSDataOutputStream out;

  private MetricsCsv(List<String> columns, FSDataOutputStream out) {
    this.columns = List.copyOf(columns);
    this.out = out;
  }

  /** Opens {@code file}, keeping the rows whose step is below {@code firstStep}. */
  public static MetricsCsv open(FileSystem fs, Path file, List<String> columns, long firstStep)
      throws IOException {
    List<String> lines = KeptLines.read(fs, file);
    List<String> kept = new ArrayList<>();
    if (!lines.isEmpty()) {
      List<String> oldColumns = parse(lines.get(0));
      for (String line : lines.subList(1, lines.size())) {
        List<String> cells = parse(line);
        Map<String, String> byName = new HashMap<>();
        for (int i = 0; i < cells.size() && i < oldColumns.size(); i++) {
          byName.put(oldColumns.get(i), cells.get(i));
        }
        String step = byName.getOrDefault("step", "");
        if (!step.isEmpty() && Long.parseLong(step) < firstStep) {
          List<String> row = new ArrayList<>();
          for (String c : columns) {
            row.add(byName.getOrDefault(c, ""));
          }
          kept.add(line(row));
        }
      }
    }
    MetricsCsv csv = new MetricsCsv(columns, fs.create(file, true));
    csv.write(line(columns));
    for (String row : kept) {
      csv.write(row);
    }
    csv.out.hflush();
    return csv;
  }

  public List<String> columns() {
    return columns;
  }

  /**
   * Appends one record (as written to metrics.jsonl).
   *
   * @throws IllegalArgumentException for a field with no column: the header would not describe it
   */
  public void append(Map<String, Object> record) throws IOException {
    Map<String, Object> flat = flatten(record);
    for (String key : flat.keySet()) {
      if (!columns.contains(key)) {
        throw new IllegalArgumentException("metrics field " + key + " has no column in metrics.csv"
            + " (columns: " + columns + ")");
      }
    }
    List<String> row = new ArrayList<>(columns.size());
    for (String c : columns) {
      Object v = flat.get(c);
      row.add(v == null ? "" : String.valueOf(v));
    }
    write(line(row));
    out.hflush();
  }

  /** Nested maps as dotted keys, in record order. */
  public static Map<String, Object> flatten(Map<String, ?> record) {
    Map<String, Object> flat = new LinkedHashMap<>();
    for (Map.Entry<String, ?> e : record.entrySet()) {
      if (e.getValue() instanceof Map<?, ?> nested) {
        for (Map.Entry<?, ?> n : nested.entrySet()) {
          flat.put(e.getKey() + "." + n.getKey(), n.getValue());
        }
      } else {
        flat.put(e.getKey(), e.getValue());
      }
    }
    return flat;
  }

  /** One CSV line: a cell with a comma, quote or line break is quoted, quotes doubled. */
  static String line(List<String> cells) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      String c = cells.get(i);
      b.append(i == 0 ? "" : ",");
      if (c.contains(",") || c.contains("\"") || c.contains("\n") || c.contains("\r")) {
        b.append('"').append(c.replace("\"", "\"\"")).append('"');
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  /** The cells of one CSV line written by {@link #line}. */
  public static List<String> parse(String line) {
    List<String> cells = new ArrayList<>();
    StringBuilder cell = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char ch = line.charAt(i);
      if (quoted) {
        if (ch == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          cell.append('"');
          i++;
        } else if (ch == '"') {
          quoted = false;
        } else {
          cell.append(ch);
        }
      } else if (ch == '"') {
        quoted = true;
      } else if (ch == ',') {
        cells.add(cell.toString());
        cell.setLength(0);
      } else {
        cell.append(ch);
      }
    }
    cells.add(cell.toString());
    return cells;
  }

  private void write(String line) throws IOException {
    out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
