package io.sparkrl.job.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * report.html: one self-contained page (charts as base64 PNG data URIs, no external resource) with
 * a summary of each run, the charts, each run's configuration and its latest sample completions.
 * Every text from a run directory is HTML-escaped. A small script records, once the page has
 * loaded, how many charts decoded ({@code <body data-charts-loaded="N/M">}), for the browser check.
 */
public final class ReportPage {
  /** Completions shown per run: the latest logged step's, at most this many. */
  static final int SAMPLE_ROWS = 16;

  private ReportPage() {}

  /** @param charts chart → its PNG, in display order */
  public static String html(String title, List<RunHistory> runs, Map<Chart, byte[]> charts) {
    StringBuilder h = new StringBuilder();
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>")
        .append(escape(title)).append("</title>\n<style>\n")
        .append("body{font-family:sans-serif;margin:1.5em;color:#222;background:#fff}\n")
        .append("table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;")
        .append("padding:.2em .5em;text-align:left;vertical-align:top}\n")
        .append(".charts{display:flex;flex-wrap:wrap;gap:1em}figure{margin:0}\n")
        .append("pre{background:#f6f6f6;padding:.5em;overflow:auto;max-height:30em}\n")
        .append("td.text{font-family:monospace;white-space:pre-wrap}\n</style></head>\n<body>\n");
    h.append("<h1>").append(escape(title)).append("</h1>\n");
    h.append(summary(runs));
    h.append("<h2>Charts</h2>\n<div class=\"charts\">\n");
    for (Map.Entry<Chart, byte[]> e : charts.entrySet()) {
      h.append("<figure><img class=\"chart\" width=\"").append(Chart.WIDTH).append("\" height=\"")
          .append(Chart.HEIGHT).append("\" alt=\"").append(escape(e.getKey().title()))
          .append("\" src=\"data:image/png;base64,")
          .append(Base64.getEncoder().encodeToString(e.getValue())).append("\"></figure>\n");
    }
    h.append("</div>\n");
    for (RunHistory run : runs) {
      h.append("<h2>Sample completions: ").append(escape(run.name())).append("</h2>\n")
          .append(samples(run));
      h.append("<h2>Configuration: ").append(escape(run.name())).append("</h2>\n<details")
          .append(runs.size() == 1 ? " open" : "").append("><summary>")
          .append(escape(run.uri())).append("/config.conf</summary><pre>")
          .append(escape(run.config().isEmpty() ? "(no config.conf)" : run.config()))
          .append("</pre></details>\n");
    }
    h.append("<p id=\"status\">loading</p>\n<script>\nwindow.addEventListener('load', function () {\n")
        .append("  var imgs = document.querySelectorAll('img.chart'), ok = 0;\n")
        .append("  imgs.forEach(function (i) { if (i.complete && i.naturalWidth > 0) ok++; });\n")
        .append("  document.body.setAttribute('data-charts-loaded', ok + '/' + imgs.length);\n")
        .append("  document.getElementById('status').textContent = 'charts loaded: ' + ok + '/' + imgs.length;\n")
        .append("});\n</script>\n</body></html>\n");
    return h.toString();
  }

  private static String summary(List<RunHistory> runs) {
    StringBuilder h = new StringBuilder("<table><tr><th>run</th><th>directory</th><th>steps</th>"
        + "<th>last reward</th><th>last accuracy</th><th>tokens/s</th><th>training time</th></tr>\n");
    for (RunHistory run : runs) {
      List<JsonNode> steps = run.steps();
      JsonNode last = steps.isEmpty() ? null : steps.get(steps.size() - 1);
      double ms = 0;
      double tokensPerS = 0;
      for (JsonNode s : steps) {
        ms += s.path("step_ms").asDouble();
        tokensPerS += s.path("tokens_per_s").asDouble() / steps.size();
      }
      JsonNode accuracy = null;
      for (JsonNode r : run.records()) {
        accuracy = r.has("eval_accuracy") ? r.get("eval_accuracy") : accuracy;
      }
      h.append("<tr><td>").append(escape(run.name())).append("</td><td>").append(escape(run.uri()))
          .append("</td><td>").append(steps.size()).append("</td><td>")
          .append(last == null ? "" : String.format("%.4f", last.path("reward_mean").asDouble()))
          .append("</td><td>")
          .append(accuracy == null ? "n/a" : String.format("%.4f", accuracy.asDouble()))
          .append("</td><td>").append(String.format("%,.0f", tokensPerS)).append("</td><td>")
          .append(String.format("%.1f s", ms / 1000)).append("</td></tr>\n");
    }
    return h.append("</table>\n").toString();
  }

  private static String samples(RunHistory run) {
    List<JsonNode> all = run.completions();
    if (all.isEmpty()) {
      return "<p>No completions logged (sparkrl.monitor.completions-every = 0, or no logged step"
          + " yet).</p>\n";
    }
    long lastStep = all.get(all.size() - 1).path("step").asLong();
    StringBuilder h = new StringBuilder("<p>Step ").append(lastStep)
        .append(" (the policy of that step wrote these).</p>\n<table><tr><th>prompt</th>")
        .append("<th>completion</th><th>reward</th><th>per function</th><th>advantage</th></tr>\n");
    int rows = 0;
    for (JsonNode c : all) {
      if (c.path("step").asLong() != lastStep || rows++ >= SAMPLE_ROWS) {
        continue;
      }
      StringBuilder functions = new StringBuilder();
      c.path("rewards").fields().forEachRemaining(f -> functions.append(f.getKey()).append(' ')
          .append(String.format("%.3f", f.getValue().asDouble())).append("; "));
      h.append("<tr><td class=\"text\">").append(escape(c.path("prompt").asText()))
          .append("</td><td class=\"text\">").append(escape(c.path("completion").asText()))
          .append("</td><td>").append(String.format("%.3f", c.path("reward").asDouble()))
          .append("</td><td>").append(escape(functions.toString())).append("</td><td>")
          .append(c.path("advantage").isNumber()
              ? String.format("%+.3f", c.path("advantage").asDouble()) : "")
          .append("</td></tr>\n");
    }
    return h.append("</table>\n").toString();
  }

  /** Text as HTML: {@code & < > " '} escaped. */
  public static String escape(String text) {
    StringBuilder b = new StringBuilder(text.length());
    for (char ch : text.toCharArray()) {
      switch (ch) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(ch);
      }
    }
    return b.toString();
  }
}
