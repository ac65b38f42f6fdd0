package io.sparkrl.job.report;

import io.sparkrl.job.output.StepLog;
import java.util.ArrayList;
import java.util.List;

/** Which charts a report has: one run's figures in detail, or several runs' main curves together. */
public final class ReportCharts {
  private ReportCharts() {}

  /** The charts of one run; charts with no data (no evaluation, KL off) are left out. */
  public static List<Chart> of(RunHistory run) {
    List<Series> functions = new ArrayList<>();
    for (String f : run.rewardFunctions()) {
      functions.add(run.series("reward_functions." + f, f));
    }
    List<Series> phases = new ArrayList<>();
    phases.add(run.series("step_ms", "whole step"));
    for (String p : StepLog.PHASES) {
      phases.add(run.series("phases." + p, p.replace("_ms", "")));
    }
    Series reward = run.series("reward_mean", "mean");
    int window = reward.smoothingWindow();
    List<Chart> charts = List.of(
        new Chart("reward.png", "Reward", "reward", List.of(reward,
            reward.movingAverage(window, "mean, moving average of " + window + " steps"),
            run.series("reward_min", "min"), run.series("reward_max", "max"))),
        new Chart("reward-functions.png", "Mean score per reward function", "score", functions),
        new Chart("accuracy.png", "Held-out greedy accuracy", "accuracy",
            List.of(run.series("eval_accuracy", "accuracy"))),
        new Chart("loss.png", "Loss", "loss", List.of(run.series("loss", "loss"))),
        new Chart("kl-entropy.png", "KL to the reference and entropy", "nats per token",
            List.of(run.series("kl", "KL"), run.series("entropy", "entropy"))),
        new Chart("grad-norm.png", "Gradient norm", "L2 norm", List.of(
            run.series("grad_norm", "before clipping"),
            run.series("clipped_grad_norm", "after clipping"))),
        new Chart("completion-length.png", "Completion length", "tokens", List.of(
            run.series("completion_length", "mean"), run.series("completion_length_min", "min"),
            run.series("completion_length_max", "max"))),
        new Chart("fractions.png", "Prompts that teach nothing, completions cut", "fraction",
            List.of(run.series("frac_reward_zero_std", "prompts with zero reward std"),
                run.series("truncated_fraction", "completions cut at max-new-tokens"))),
        new Chart("phase-time.png", "Time per phase", "ms", phases));
    return charts.stream().filter(c -> !c.isEmpty()).toList();
  }

  /** The main curves of several runs, one line per run on each chart. */
  public static List<Chart> compare(List<RunHistory> runs) {
    String[][] specs = {
        {"reward.png", "Mean reward", "reward", "reward_mean"},
        {"accuracy.png", "Held-out greedy accuracy", "accuracy", "eval_accuracy"},
        {"loss.png", "Loss", "loss", "loss"},
        {"grad-norm.png", "Gradient norm before clipping", "L2 norm", "grad_norm"},
        {"completion-length.png", "Mean completion length", "tokens", "completion_length"},
        {"fractions.png", "Prompts with zero reward std", "fraction", "frac_reward_zero_std"},
        {"phase-time.png", "Time per step", "ms", "step_ms"}};
    List<Chart> charts = new ArrayList<>();
    for (String[] spec : specs) {
      List<Series> series = new ArrayList<>();
      for (RunHistory run : runs) {
        series.add(run.series(spec[3], run.name()));
      }
      Chart c = new Chart(spec[0], spec[1], spec[2], series);
      if (!c.isEmpty()) {
        charts.add(c);
      }
    }
    return charts;
  }
}
