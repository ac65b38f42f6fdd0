package io.sparkrl.job.output;

import io.sparkrl.policy.ParamsDigest;
import io.sparkrl.policy.PolicySnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code summary.json}: how a run ended, for schedulers and people. Rewards and accuracies come
 * from metrics.jsonl, so a resumed run's summary covers all its steps, not only the last
 * invocation's.
 */
public final class RunSummary {
  private RunSummary() {}

  /** How an invocation of the run loop ended. */
  public enum Ending {
    FINISHED("finished"), WALL_TIME("stopped at sparkrl.run.max-wall-time"),
    NON_FINITE("stopped: sparkrl.trainer.max-consecutive-skipped-steps updates in a row were "
        + "skipped for NaN or infinite values");

    final String text;

    Ending(String text) {
      this.text = text;
    }

    public String text() {
      return text;
    }
  }

  public static Map<String, Object> of(Ending ending, PolicySnapshot policy, long lastStep,
      double stepsPerEpoch, long corpusPrompts, long malformedRecords, Long resumedFrom, Instant started,
      List<Map<String, Object>> metrics) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("status", ending.text);
    s.put("finished", ending == Ending.FINISHED);
    s.put("steps", policy.step());
    s.put("last_step", lastStep);
    s.put("epochs", stepsPerEpoch == 0 ? 0 : policy.step() / stepsPerEpoch);
    s.put("corpus_prompts", corpusPrompts);
    s.put("malformed_records", malformedRecords);
    s.put("resumed_from_step", resumedFrom);
    s.put("params_sha256", ParamsDigest.sha256(policy.parameters()));
    s.put("parameters", policy.parameters().length);

    Map<String, Object> reward = new LinkedHashMap<>();
    Double first = null;
    Double last = null;
    double best = Double.NEGATIVE_INFINITY;
    double sum = 0;
    int n = 0;
    Double initialAccuracy = null;
    Double finalAccuracy = null;
    double bestAccuracy = Double.NEGATIVE_INFINITY;
    double trainingMs = 0;
    for (Map<String, Object> m : metrics) {
      if (m.get("reward_mean") instanceof Number r) {
        double v = r.doubleValue();
        first = first == null ? v : first;
        last = v;
        best = Math.max(best, v);
        sum += v;
        n++;
      }
      if (m.get("eval_accuracy") instanceof Number a) {
        initialAccuracy = initialAccuracy == null ? a.doubleValue() : initialAccuracy;
        finalAccuracy = a.doubleValue();
        bestAccuracy = Math.max(bestAccuracy, a.doubleValue());
      }
      if (m.get("step_ms") instanceof Number ms) {
        trainingMs += ms.doubleValue();
      }
    }
    reward.put("first_step_mean", first);
    reward.put("last_step_mean", last);
    reward.put("best_step_mean", n == 0 ? null : best);
    reward.put("mean_over_steps", n == 0 ? null : sum / n);
    s.put("reward", reward);
    Map<String, Object> accuracy = new LinkedHashMap<>();
    accuracy.put("first", initialAccuracy);
    accuracy.put("final", finalAccuracy);
    accuracy.put("best", finalAccuracy == null ? null : bestAccuracy);
    s.put("eval_accuracy", accuracy);
    Instant now = Instant.now();
    Map<String, Object> time = new LinkedHashMap<>();
    time.put("started_at", started.toString());
    time.put("ended_at", now.toString());
    time.put("this_invocation_s", Duration.between(started, now).toMillis() / 1000.0);
    time.put("steps_total_s", trainingMs / 1000.0);
    s.put("time", time);
    return s;
  }
}
