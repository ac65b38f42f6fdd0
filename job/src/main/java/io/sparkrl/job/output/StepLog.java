package io.sparkrl.job.output;

import io.sparkrl.step.StepMetrics;
import java.util.LinkedHashMap;
import java.util.Map;

/** The readable line and the metrics.jsonl record of a step. */
public final class StepLog {
  private StepLog() {}

  /** Driver-side phase times of a step, in milliseconds. */
  public record Phases(double broadcastMs, double tasksMs, double mergeMs, double updateMs,
      double evalMs, double stepMs) {}

  public static String line(StepMetrics m, Double accuracy, Phases p) {
    double tokensPerSecond = m.completionTokens() / (p.stepMs() / 1000.0);
    return String.format("step %5d | reward %.3f ± %.3f |%s loss %+.4f | grad %.3f | len %.1f"
            + " | %,.0f tok/s | %.0f ms", m.step(), m.rewardMean(), m.rewardStd(),
        accuracy == null ? "" : String.format(" acc %.3f |", accuracy), m.loss(), m.gradNorm(),
        m.meanCompletionLength(), tokensPerSecond, p.stepMs()) + rewardProblems(m);
  }

  /** Shown only when a reward call fell back: the line stays short in a healthy run. */
  private static String rewardProblems(StepMetrics m) {
    if (m.rewardFailures() == 0 && m.rewardTimeouts() == 0) {
      return "";
    }
    return String.format(" | reward fallbacks: %d failed, %d timed out", m.rewardFailures(),
        m.rewardTimeouts());
  }

  public static Map<String, Object> record(StepMetrics m, Double accuracy, Phases p) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("step", m.step());
    r.put("reward_mean", m.rewardMean());
    r.put("reward_std", m.rewardStd());
    if (accuracy != null) {
      r.put("eval_accuracy", accuracy);
    }
    r.put("loss", m.loss());
    r.put("grad_norm", m.gradNorm());
    r.put("clipped_grad_norm", m.clippedGradNorm());
    r.put("learning_rate", m.learningRate());
    r.put("completion_length", m.meanCompletionLength());
    r.put("finished_fraction", m.finishedFraction());
    r.put("prompts", m.prompts());
    r.put("completions", m.sequences());
    r.put("completion_tokens", m.completionTokens());
    r.put("reward_failures", m.rewardFailures());
    r.put("reward_timeouts", m.rewardTimeouts());
    r.put("ema_baseline", m.emaBaseline());
    r.put("tokens_per_s", m.completionTokens() / (p.stepMs() / 1000.0));
    r.put("step_ms", p.stepMs());
    Map<String, Object> phases = new LinkedHashMap<>();
    phases.put("broadcast_ms", p.broadcastMs());
    phases.put("tasks_ms", p.tasksMs());
    phases.put("sample_ms", m.sampleNanos() / 1e6);
    phases.put("reward_ms", m.rewardNanos() / 1e6);
    phases.put("gradient_ms", m.gradientNanos() / 1e6);
    phases.put("merge_ms", p.mergeMs());
    phases.put("update_ms", p.updateMs());
    phases.put("eval_ms", p.evalMs());
    r.put("phases", phases);
    return r;
  }
}
