package io.sparkrl.job.report;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Writes a report folder (any Hadoop URI): one PNG per chart and report.html, which embeds them
 * all. {@code report} is one run's (into {@code <run.dir>/report/} by default); {@code compare}
 * puts several runs' curves on the same charts.
 */
public final class RunReport {
  public static final String FOLDER = "report";
  public static final String PAGE = "report.html";

  private RunReport() {}

  /** One run's report; returns the URI of its report.html. */
  public static String report(RunHistory run, String outDir, Configuration hadoop) throws IOException {
    return write("sparkrl run " + run.name(), List.of(run), ReportCharts.of(run), outDir, hadoop);
  }

  /** Several runs' report; equal directory names get numbered labels. Returns report.html's URI. */
  public static String compare(List<RunHistory> runs, String outDir, Configuration hadoop)
      throws IOException {
    Map<String, Integer> seen = new HashMap<>();
    List<RunHistory> labelled = new ArrayList<>();
    for (RunHistory r : runs) {
      int n = seen.merge(r.name(), 1, Integer::sum);
      labelled.add(n == 1 ? r : r.named(r.name() + " (" + n + ")"));
    }
    List<String> names = labelled.stream().map(RunHistory::name).toList();
    return write("sparkrl comparison: " + String.join(" vs ", names), labelled,
        ReportCharts.compare(labelled), outDir, hadoop);
  }

  private static String write(String title, List<RunHistory> runs, List<Chart> charts,
      String outDir, Configuration hadoop) throws IOException {
    Path dir = new Path(outDir);
    FileSystem fs = dir.getFileSystem(hadoop);
    fs.mkdirs(dir);
    Map<Chart, byte[]> pngs = new LinkedHashMap<>();
    for (Chart c : charts) {
      byte[] png = c.png();
      pngs.put(c, png);
      write(fs, new Path(dir, c.file()), png);
    }
    Path page = new Path(dir, PAGE);
    write(fs, page, ReportPage.html(title, runs, pngs).getBytes(StandardCharsets.UTF_8));
    return fs.makeQualified(page).toString();
  }

  private static void write(FileSystem fs, Path file, byte[] bytes) throws IOException {
    try (OutputStream out = fs.create(file, true)) {
      out.write(bytes);
    }
  }
}
