package io.sparkrl.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkrl.job.output.MetricsCsv;
import io.sparkrl.job.report.HeadlessChromium;
import io.sparkrl.job.report.Pictures;
import io.sparkrl.job.report.ReportPage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance of "watching a run": two short real runs through Main (local Spark, the arithmetic
 * task, a tiny policy), then their metrics, CSV twin, completions log, report and comparison.
 */
class WatchingARunTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final int STEPS = 4;
  static final int GROUP = 4;
  static final double PEAK_LR = 0.01;
  static final int WARMUP = 4;
  static final double MAX_GRAD_NORM = 0.05;
  static final double EPSILON = 1e-6;
  static final List<String> STEP_FIELDS = List.of("step", "policy_version", "reward_mean",
      "reward_std", "reward_min", "reward_max", "reward_functions", "frac_reward_zero_std",
      "advantage_mean", "advantage_std", "loss", "grad_norm", "clipped_grad_norm",
      "learning_rate", "kl", "entropy", "completion_length", "completion_length_min",
      "completion_length_max", "truncated_fraction", "reward_failures", "skipped_updates",
      "tokens_per_s", "step_ms", "phases");

  @TempDir static Path tmp;
  static Path runA;
  static Path runB;
  static List<JsonNode> metrics;
  static long runSeconds;

  @BeforeAll
  static void twoShortRuns() throws Exception {
    List<String> corpus = TestCorpus.write(tmp.resolve("corpus"), 9, 3);
    runA = tmp.resolve("run-a");
    runB = tmp.resolve("run-b");
    long t0 = System.nanoTime();
    train(corpus, runA, 1);
    runSeconds = (System.nanoTime() - t0) / 1_000_000_000L;
    train(corpus, runB, 2);
    metrics = Files.readAllLines(runA.resolve("metrics.jsonl")).stream().map(WatchingARunTest::json)
        .toList();
  }

  static void train(List<String> corpus, Path dir, int seed) {
    System.setProperty("spark.master", "local[2]");
    System.setProperty("spark.ui.enabled", "false");
    try {
      MainConfigurationTest.Outcome o = MainConfigurationTest.run("reinforce",
          "corpus.train=\"" + corpus.get(0) + "\"", "corpus.eval=\"" + corpus.get(1) + "\"",
          "run.dir=\"" + dir + "\"", "run.steps=" + STEPS, "run.seed=" + seed,
          "run.partitions=2", "run.prompts-per-step=4", "run.checkpoint-every=0", "eval.every=2",
          "policy.hidden-size=16", "policy.embedding-size=8", "sampling.group-size=" + GROUP,
          "sampling.max-new-tokens=8", "advantage.estimator=grpo",
          "advantage.epsilon=" + EPSILON, "loss.kl.coefficient=0.05",
          "optimizer.learning-rate=" + PEAK_LR, "optimizer.max-grad-norm=" + MAX_GRAD_NORM,
          "optimizer.schedule.type=linear", "optimizer.schedule.warmup-steps=" + WARMUP,
          "monitor.completions-every=2", "monitor.completions-prompts=2", "monitor.progress=lines");
      assertEquals(Main.OK, o.code(), o.stderr());
    } finally {
      System.clearProperty("spark.master");
      System.clearProperty("spark.ui.enabled");
    }
  }

  static JsonNode json(String line) {
    try {
      return JSON.readTree(line);
    } catch (Exception e) {
      throw new AssertionError(line, e);
    }
  }

  static List<JsonNode> steps() {
    return metrics.stream().filter(m -> !m.has("phase")).toList();
  }

  @Test
  void everyStepHasEveryFieldWithConsistentValues() {
    List<JsonNode> steps = steps();
    assertEquals(STEPS, steps.size(), metrics.toString());
    for (JsonNode m : steps) {
      for (String f : STEP_FIELDS) {
        assertTrue(m.has(f), "step " + m.path("step") + " lacks " + f + ": " + m);
      }
      long step = m.get("step").asLong();
      String at = "step " + step + ": " + m;
      assertEquals(step, m.get("policy_version").asLong(), at);
      double mean = m.get("reward_mean").asDouble();
      assertTrue(m.get("reward_min").asDouble() <= mean && mean <= m.get("reward_max").asDouble(), at);
      assertTrue(m.get("reward_std").asDouble() >= 0 && m.get("advantage_std").asDouble() >= 0, at);
      for (String f : List.of("frac_reward_zero_std", "truncated_fraction", "finished_fraction")) {
        double v = m.get(f).asDouble();
        assertTrue(v >= 0 && v <= 1, f + " " + at);
      }
      assertEquals(1.0, m.get("truncated_fraction").asDouble() + m.get("finished_fraction").asDouble(),
          1e-12, at);
      double before = m.get("grad_norm").asDouble();
      double after = m.get("clipped_grad_norm").asDouble();
      assertTrue(after <= before + 1e-12 && after <= MAX_GRAD_NORM + 1e-12, at);
      assertEquals(PEAK_LR * (step + 1) / WARMUP, m.get("learning_rate").asDouble(), 1e-15, at);
      assertTrue(m.get("tokens_per_s").asDouble() > 0, at);
      assertTrue(m.get("kl").asDouble() >= -1e-9 && m.get("entropy").asDouble() > 0, at);
      double len = m.get("completion_length").asDouble();
      assertTrue(m.get("completion_length_min").asDouble() <= len
          && len <= m.get("completion_length_max").asDouble(), at);
      assertTrue(m.get("completion_length_max").asInt() <= 8, at); // max-new-tokens
      assertEquals(0, m.get("skipped_updates").asInt(), at);
      assertTrue(m.get("reward_functions").size() >= 1, at);
      m.get("reward_functions").fields().forEachRemaining(f ->
          assertTrue(Double.isFinite(f.getValue().asDouble()), f.getKey() + " " + at));
      // grpo: each group's advantages sum to 0, so their mean over the batch is 0
      assertEquals(0.0, m.get("advantage_mean").asDouble(), 1e-9, at);
      for (String p : List.of("broadcast_ms", "tasks_ms", "sample_ms", "reward_ms", "gradient_ms",
          "merge_ms", "update_ms", "eval_ms")) {
        assertTrue(m.get("phases").get(p).asDouble() >= 0, p + " " + at);
      }
    }
    assertTrue(steps.get(1).has("eval_accuracy") && steps.get(3).has("eval_accuracy"));
    assertFalse(steps.get(0).has("eval_accuracy"));
  }

  @Test
  void csvTwinHasTheSameRowsAndValues() throws Exception {
    List<String> lines = Files.readAllLines(runA.resolve("metrics.csv"));
    List<String> header = MetricsCsv.parse(lines.get(0));
    assertEquals(metrics.size() + 1, lines.size(), "one header, then one row per metrics.jsonl line");
    for (int i = 0; i < metrics.size(); i++) {
      List<String> cells = MetricsCsv.parse(lines.get(i + 1));
      assertEquals(header.size(), cells.size(), lines.get(i + 1));
      Map<String, Object> flat = MetricsCsv.flatten(JSON.convertValue(metrics.get(i), Map.class));
      Map<String, String> row = new LinkedHashMap<>();
      for (int c = 0; c < header.size(); c++) {
        row.put(header.get(c), cells.get(c));
      }
      for (Map.Entry<String, Object> e : flat.entrySet()) {
        assertTrue(row.containsKey(e.getKey()), "no column " + e.getKey());
        assertEquals(String.valueOf(e.getValue()), row.get(e.getKey()), "row " + i + " " + e.getKey());
      }
      long filled = row.values().stream().filter(v -> !v.isEmpty()).count();
      assertEquals(flat.size(), filled, "row " + i + " has values the JSON line has not");
    }
    for (String f : STEP_FIELDS) {
      assertTrue(header.stream().anyMatch(h -> h.equals(f) || h.startsWith(f + ".")), f);
    }
  }

  @Test
  void completionsLogAgreesWithTheMetrics() throws Exception {
    List<JsonNode> lines = Files.readAllLines(runA.resolve("completions.jsonl")).stream()
        .map(WatchingARunTest::json).toList();
    // completions-every = 2 over 4 steps: steps 1 and 3; 2 prompts of G completions each
    assertEquals(2 * 2 * GROUP, lines.size());
    Map<String, List<JsonNode>> groups = new TreeMap<>();
    for (JsonNode c : lines) {
      long step = c.get("step").asLong();
      assertTrue(step == 1 || step == 3, c.toString());
      assertEquals(step, c.get("policy_version").asLong());
      JsonNode m = steps().get((int) step);
      assertEquals(step, m.get("step").asLong());
      double r = c.get("reward").asDouble();
      assertTrue(m.get("reward_min").asDouble() <= r && r <= m.get("reward_max").asDouble(),
          "reward " + r + " outside step " + step + "'s range: " + m);
      assertTrue(c.get("length").asInt() <= m.get("completion_length_max").asInt());
      assertTrue(c.get("length").asInt() >= m.get("completion_length_min").asInt());
      assertTrue(c.get("prompt").asText().startsWith("How much is"), c.toString());
      assertEquals(m.get("reward_functions").size(), c.get("rewards").size());
      groups.computeIfAbsent(step + "/" + c.get("prompt_id").asLong(), k -> new ArrayList<>()).add(c);
    }
    assertEquals(4, groups.size());
    for (List<JsonNode> g : groups.values()) {
      assertEquals(GROUP, g.size());
      double mean = g.stream().mapToDouble(c -> c.get("reward").asDouble()).sum() / GROUP;
      double squares = g.stream().mapToDouble(c -> Math.pow(c.get("reward").asDouble() - mean, 2)).sum();
      double std = Math.sqrt(squares / (GROUP - 1));
      for (JsonNode c : g) {
        double expected = (c.get("reward").asDouble() - mean) / (std + EPSILON);
        assertEquals(expected, c.get("advantage").asDouble(), 1e-9, c.toString());
      }
    }
  }

  @Test
  void reinforceWroteTheReportAndReportRedrawsIt() throws Exception {
    Path report = runA.resolve("report");
    assertTrue(Files.isRegularFile(report.resolve("report.html")), "written at the end of the run");
    Files.delete(report.resolve("report.html"));
    long t0 = System.nanoTime();
    MainOutcome o = run("report", runA.toString());
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertEquals(Main.OK, o.code(), o.err());
    System.out.println("report of a " + STEPS + "-step run: " + ms + " ms; one run took "
        + runSeconds + " s");
    String html = Files.readString(report.resolve("report.html"));
    for (String chart : List.of("reward", "accuracy", "loss", "grad-norm", "completion-length",
        "phase-time")) {
      Pictures p = Pictures.of(report.resolve(chart + ".png"));
      assertTrue(p.colours() > 5 && p.inkFraction() > 0.01, chart + " looks blank: " + p);
    }
    assertEquals(countPngs(report), count(html, "data:image/png;base64,"));
    assertFalse(html.contains("src=\"http") || html.contains("href=\"http"), "not self-contained");
    assertTrue(html.contains("advantage.estimator") || html.contains("estimator"), "configuration");
    List<String> logged = Files.readAllLines(runA.resolve("completions.jsonl"));
    JsonNode latest = json(logged.get(logged.size() - 1)); // the page shows the latest logged step
    assertTrue(html.contains("<p>Step " + latest.get("step").asLong() + " "), "sample step");
    assertTrue(html.contains(ReportPage.escape(latest.get("prompt").asText())), "sample prompt");
  }

  @Test
  void compareDrawsBothRunsOnTheSameCharts() throws Exception {
    Path out = tmp.resolve("comparison");
    MainOutcome o = run("compare", runA.toString(), runB.toString(), "--out", out.toString());
    assertEquals(Main.OK, o.code(), o.err());
    String html = Files.readString(out.resolve("report.html"));
    assertTrue(html.contains("run-a") && html.contains("run-b"), "both runs named");
    Pictures reward = Pictures.of(out.resolve("reward.png"));
    assertTrue(reward.colours() > 5 && reward.inkFraction() > 0.01, reward.toString());
  }

  @Test
  void badArgumentsAndAMissingRunDirectoryExitTwo() {
    MainOutcome none = run("report");
    assertEquals(Main.BAD_CONFIGURATION, none.code());
    assertTrue(none.err().contains("report takes one run directory"), none.err());
    MainOutcome one = run("compare", runA.toString());
    assertEquals(Main.BAD_CONFIGURATION, one.code());
    assertTrue(one.err().contains("two or more"), one.err());
    String missing = tmp.resolve("no-such-run").toString();
    MainOutcome gone = run("report", missing);
    assertEquals(Main.BAD_INPUT, gone.code(), gone.err());
    assertTrue(gone.err().contains("no-such-run"), gone.err());
  }

  @Test
  void reportLoadsInHeadlessChromiumWithEveryChartDecoded() throws Exception {
    assumeTrue(HeadlessChromium.installed(), "no /usr/bin/chromium: the browser check is skipped"
        + " (scripts/install-chromium.sh installs it; CI runs it)");
    Path page = runA.resolve("report/report.html");
    if (!Files.exists(page)) {
      assertEquals(Main.OK, run("report", runA.toString()).code());
    }
    Path scratch = Files.createTempDirectory(tmp, "chromium");
    String dom = HeadlessChromium.dumpDom(page, scratch);
    Matcher loaded = Pattern.compile("data-charts-loaded=\"(\\d+)/(\\d+)\"").matcher(dom);
    assertTrue(loaded.find(), "the page's load script did not run");
    assertEquals(loaded.group(2), loaded.group(1), "charts that decoded / charts");
    assertEquals(countPngs(page.getParent()), Integer.parseInt(loaded.group(2)));
    Pictures shot = Pictures.of(HeadlessChromium.screenshot(page, scratch, 1280, 2000));
    assertEquals(1280, shot.width());
    assertTrue(shot.colours() > 20 && shot.inkFraction() > 0.02, "blank screenshot: " + shot);
  }

  static MainOutcome run(String... args) {
    return MainOutcome.run(args);
  }

  static long countPngs(Path dir) throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.toString().endsWith(".png")).count();
    }
  }

  static int count(String text, String what) {
    int n = 0;
    for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
      n++;
    }
    return n;
  }
}
