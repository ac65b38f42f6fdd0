package io.sparkrl.job.output;

import io.sparkrl.step.RolloutFigures;
import io.sparkrl.step.StepMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;

/** The readable line and the metrics.jsonl record (and metrics.csv columns) of a step. */
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
        m.meanCompletionLength(), tokensPerSecond, p.stepMs()) + rewardProblems(m)
        + (m.updateSkipped() ? " | update SKIPPED: " + m.nonFinite() : "");
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
    RolloutFigures f = m.rollout();
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("step", m.step());
    r.put("policy_version", m.step()); // the policy that sampled this step's completions
    r.put("reward_mean", m.rewardMean());
    r.put("reward_std", m.rewardStd());
    r.put("reward_min", f.rewardMin());
    r.put("reward_max", f.rewardMax());
    r.put("reward_functions", new LinkedHashMap<>(f.functionMeans()));
    r.put("frac_reward_zero_std", f.zeroStdFraction());
    r.put("dropped_groups", f.droppedGroups());
    r.put("advantage_mean", f.advantageMean());
    r.put("advantage_std", f.advantageStd());
    if (accuracy != null) {
      r.put("eval_accuracy", accuracy);
    }
    r.put("loss", m.loss());
    r.put("grad_norm", m.gradNorm());
    r.put("clipped_grad_norm", m.clippedGradNorm());
    r.put("learning_rate", m.learningRate());
    if (f.klMean() != null) {
      r.put("kl", f.klMean());
    }
    r.put("entropy", f.entropy());
    r.put("completion_length", m.meanCompletionLength());
    r.put("completion_length_min", f.minLength());
    r.put("completion_length_max", f.maxLength());
    r.put("truncated_fraction", f.truncatedFraction());
    r.put("finished_fraction", m.finishedFraction());
    r.put("prompts", m.prompts());
    r.put("completions", m.sequences());
    r.put("completion_tokens", m.completionTokens());
    r.put("reward_failures", m.rewardFailures());
    r.put("reward_timeouts", m.rewardTimeouts());
    r.put("ema_baseline", m.emaBaseline());
    r.put("skipped_updates", m.skippedUpdates());
    if (m.updateSkipped()) {
      r.put("update_skipped", m.nonFinite());
    }
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

  /** The record of the evaluation before the first step. */
  public static Map<String, Object> initial(double accuracy) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("step", 0);
    r.put("eval_accuracy", accuracy);
    r.put("phase", "initial");
    return r;
  }

  /**
   * Every column a record can have, flattened ({@code phases.tasks_ms},
   * {@code reward_functions.format}), in record order: the header of metrics.csv.
   */
  public static List<String> columns(List<String> rewardFunctions) {
    List<String> c = new ArrayList<>(List.of("step", "phase", "policy_version", "reward_mean",
        "reward_std", "reward_min", "reward_max"));
    for (String name : rewardFunctions) {
      c.add("reward_functions." + name);
    }
    c.addAll(List.of("frac_reward_zero_std", "dropped_groups", "advantage_mean", "advantage_std", "eval_accuracy",
        "loss", "grad_norm", "clipped_grad_norm", "learning_rate", "kl", "entropy",
        "completion_length", "completion_length_min", "completion_length_max",
        "truncated_fraction", "finished_fraction", "prompts", "completions", "completion_tokens",
        "reward_failures", "reward_timeouts", "skipped_updates", "update_skipped", "ema_baseline", "tokens_per_s", "step_ms"));
    for (String phase : PHASES) {
      c.add("phases." + phase);
    }
    return c;
  }

  /** The per-phase times of {@code phases}, in milliseconds. */
  public static final List<String> PHASES = List.of("broadcast_ms", "tasks_ms", "sample_ms",
      "reward_ms", "gradient_ms", "merge_ms", "update_ms", "eval_ms");
}
