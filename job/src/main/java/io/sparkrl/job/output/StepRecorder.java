package io.sparkrl.job.output;

import io.sparkrl.job.config.JobSettings;
import io.sparkrl.step.CompletionSample;
import io.sparkrl.step.StepMetrics;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything a step leaves for the people watching the run: its record in metrics.jsonl and
 * metrics.csv, its completions (on logged steps) in completions.jsonl, and the progress display.
 */
public final class StepRecorder implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StepRecorder.class);
  public static final String CSV = "metrics.csv";
  public static final String COMPLETIONS = "completions.jsonl";

  private final RunDirectory dir;
  private final JobSettings.Monitor monitor;
  private final long totalSteps;
  private final MetricsCsv csv;
  private final CompletionsLog completions;
  private final Progress progress;

  private StepRecorder(RunDirectory dir, JobSettings.Monitor monitor, long totalSteps,
      MetricsCsv csv, CompletionsLog completions, Progress progress) {
    this.dir = dir;
    this.monitor = monitor;
    this.totalSteps = totalSteps;
    this.csv = csv;
    this.completions = completions;
    this.progress = progress;
  }

  /** Opens the run's logs at {@code firstStep}, keeping what earlier steps wrote (a resume). */
  public static StepRecorder open(RunDirectory dir, JobSettings.Monitor monitor,
      List<String> rewardFunctions, long firstStep, long totalSteps) throws IOException {
    dir.openMetrics(firstStep);
    MetricsCsv csv = MetricsCsv.open(dir.fileSystem(), dir.path(CSV),
        StepLog.columns(rewardFunctions), firstStep);
    CompletionsLog completions = CompletionsLog.open(dir.fileSystem(), dir.path(COMPLETIONS),
        rewardFunctions, firstStep);
    Progress progress = new Progress(Progress.terminal(monitor.progress()), System.out, LOG::info,
        firstStep, totalSteps, System::nanoTime);
    return new StepRecorder(dir, monitor, totalSteps, csv, completions, progress);
  }

  /** Whether the tasks of step {@code step} should return completion samples. */
  public static int samplePrompts(JobSettings.Monitor monitor, long step, long totalSteps) {
    return monitor.logsCompletions(step, totalSteps) ? monitor.completionsPrompts() : 0;
  }

  /** The held-out accuracy before the first step. */
  public void initial(double accuracy) throws IOException {
    LOG.info("step     0 | held-out greedy accuracy before training {}",
        String.format("%.3f", accuracy));
    write(StepLog.initial(accuracy));
  }

  public void step(StepMetrics m, List<CompletionSample> samples, Double accuracy,
      StepLog.Phases phases) throws IOException {
    progress.step(m, accuracy, phases);
    write(StepLog.record(m, accuracy, phases));
    if (monitor.logsCompletions(m.step(), totalSteps)) {
      completions.append(m.step(), samples, monitor.completionsPrompts());
    }
  }

  private void write(Map<String, Object> record) throws IOException {
    dir.appendMetrics(record);
    csv.append(record);
  }

  @Override
  public void close() throws IOException {
    progress.finish();
    csv.close();
    completions.close();
  }
}
