package io.sparkrl.reward;

import io.sparkrl.reward.program.ProgramOutputReward;
import io.sparkrl.reward.program.ProgramRunsReward;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The configured reward: {@code r = Σ_k weight_k · score_k}. Built from {@link RewardSettings}
 * once per task ({@code RolloutWorker.run}), where its passes share it; the settings are checked
 * on the driver before any task runs.
 *
 * <p>A function that throws or returns NaN/infinity contributes {@code weight_k · fallback}
 * instead, and the failure is counted: one malformed reference or buggy user function must not
 * fail a Spark task (and with it the step), but it must not go unnoticed either. The counters
 * are atomic because one deserialized instance may be shared by the task threads of an executor.
 *
 * <p>User classes run under a per-call timeout ({@code reward.timeout}) on a worker thread
 * ({@link GuardedCalls}): a call that has not returned by then also contributes the fallback and
 * is counted as a timeout, not as a failure. The built-ins run inline on the task's thread,
 * because their running time is bounded: {@code answer-match} and {@code length-penalty} are
 * linear in the completion, {@code program-runs} and {@code program-output} stop at their own
 * step, memory and time limits, and {@code format} (whose regular expression comes from the
 * configuration and can backtrack exponentially) stops its match at {@code reward.timeout}
 * itself, which counts as a timeout too. Inline calls cost no thread hand-offs: with every core
 * busy with a task, a hand-off can wait milliseconds for a core. Close the instance after a task
 * to stop its worker thread.
 */
public final class WeightedRewards implements Serializable, AutoCloseable {
  private static final long serialVersionUID = 1L;

  /** Built-ins whose running time is bounded by construction: called inline, never guarded. */
  static final Set<String> INLINE = Set.of(RewardSettings.ANSWER_MATCH, RewardSettings.FORMAT,
      RewardSettings.LENGTH_PENALTY, RewardSettings.PROGRAM_RUNS, RewardSettings.PROGRAM_OUTPUT);

  private final List<String> names;
  private final double[] weights;
  private final Reward[] functions;
  private final boolean[] guarded;
  private final double fallback;
  private final long timeoutNanos;
  private final AtomicLong failures = new AtomicLong();
  private final AtomicLong timeouts = new AtomicLong();
  /** Started on the first guarded call on each JVM: a thread never travels with the functions. */
  private transient GuardedCalls guard;

  private WeightedRewards(List<String> names, double[] weights, Reward[] functions,
      boolean[] guarded, double fallback, long timeoutNanos) {
    this.names = List.copyOf(names);
    this.weights = weights;
    this.functions = functions;
    this.guarded = guarded;
    this.fallback = fallback;
    this.timeoutNanos = timeoutNanos;
  }

  /**
   * @throws IllegalArgumentException when a user class fails in its constructor (its name and
   *     interface were already checked by {@link RewardSettings#from})
   */
  public static WeightedRewards create(RewardSettings settings) {
    int n = settings.functions().size();
    List<String> names = new ArrayList<>(n);
    double[] weights = new double[n];
    Reward[] functions = new Reward[n];
    boolean[] guarded = new boolean[n];
    for (int k = 0; k < n; k++) {
      RewardSettings.WeightedFunction f = settings.functions().get(k);
      names.add(f.name());
      weights[k] = f.weight();
      functions[k] = function(f.name(), settings);
      guarded[k] = !INLINE.contains(f.name());
    }
    return new WeightedRewards(names, weights, functions, guarded, settings.fallback(),
        settings.timeout().toNanos());
  }

  private static Reward function(String name, RewardSettings settings) {
    return switch (name) {
      case RewardSettings.ANSWER_MATCH -> new AnswerMatchReward(settings.answerPrefix());
      case RewardSettings.FORMAT ->
          new FormatReward(settings.formatPattern(), settings.timeout().toNanos());
      case RewardSettings.LENGTH_PENALTY ->
          new LengthPenaltyReward(settings.lengthFreeChars(), settings.lengthPerChar());
      case RewardSettings.PROGRAM_RUNS -> new ProgramRunsReward(settings.program());
      case RewardSettings.PROGRAM_OUTPUT -> new ProgramOutputReward(settings.program());
      default -> UserRewardClasses.instantiate(name);
    };
  }

  /** The reward of one completion; never throws, always finite when the weights are. */
  public double score(String prompt, String completion, String reference) {
    return total(scores(prompt, completion, reference));
  }

  /**
   * Each function's unweighted score of one completion, in configuration order; a failed one is
   * the fallback (and counted). Never throws.
   */
  public double[] scores(String prompt, String completion, String reference) {
    return scores(List.of(prompt), List.of(completion), List.of(reference))[0];
  }

  /**
   * Each completion's function scores ({@code [completion][function]}, as the single-completion
   * {@link #scores(String, String, String)} gives them): the inline functions run here, in order;
   * the guarded calls of all completions go to the worker thread as one batch (two thread
   * hand-offs for the lot, not per call), in the same completion-then-function order.
   *
   * @param prompts each completion's prompt
   * @param completions the completions
   * @param references each completion's reference answer
   */
  public double[][] scores(List<String> prompts, List<String> completions,
      List<String> references) {
    int n = completions.size();
    double[][] scores = new double[n][functions.length];
    List<GuardedCalls.Call> calls = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < functions.length; k++) {
        if (guarded[k]) {
          calls.add(new GuardedCalls.Call(functions[k], prompts.get(i), completions.get(i),
              references.get(i)));
          continue;
        }
        double s;
        try {
          s = functions[k].score(prompts.get(i), completions.get(i), references.get(i));
        } catch (RewardTimeoutException e) {
          timeouts.incrementAndGet();
          scores[i][k] = fallback;
          continue;
        } catch (RuntimeException e) {
          s = Double.NaN;
        }
        scores[i][k] = checked(s);
      }
    }
    if (!calls.isEmpty()) {
      boolean[] timedOut = new boolean[calls.size()];
      double[] guardedScores = guard().callAll(calls, timedOut);
      int c = 0;
      for (int i = 0; i < n; i++) {
        for (int k = 0; k < functions.length; k++) {
          if (guarded[k]) {
            if (timedOut[c]) {
              timeouts.incrementAndGet();
              scores[i][k] = fallback;
            } else {
              scores[i][k] = checked(guardedScores[c]);
            }
            c++;
          }
        }
      }
    }
    return scores;
  }

  /** The score, or the fallback (counted as a failure) when it is NaN or infinite. */
  private double checked(double s) {
    if (Double.isFinite(s)) {
      return s;
    }
    failures.incrementAndGet();
    return fallback;
  }

  /** {@code Σ_k weight_k · scores[k]}, summed in configuration order. */
  public double total(double[] scores) {
    double total = 0.0;
    for (int k = 0; k < functions.length; k++) {
      total += weights[k] * scores[k];
    }
    return total;
  }

  private synchronized GuardedCalls guard() {
    if (guard == null) {
      guard = new GuardedCalls(timeoutNanos);
    }
    return guard;
  }

  /** Stops the worker thread of guarded calls, if one was started. Scoring again restarts it. */
  @Override
  public synchronized void close() {
    if (guard != null) {
      guard.close();
      guard = null;
    }
  }

  /**
   * Function calls abandoned after {@code reward.timeout} since creation (each replaced by the
   * fallback); counted apart from {@link #failures()}, and like it per deserialized copy.
   */
  public long timeouts() {
    return timeouts.get();
  }

  /**
   * Function scores that threw or were NaN/infinite, replaced by the fallback, since creation. A
   * deserialized copy starts from the count it was serialized with and counts on its own, so
   * executors report their counts back.
   */
  public long failures() {
    return failures.get();
  }

  /** The function names in configuration order, for logs. */
  public List<String> names() {
    return names;
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("WeightedRewards[");
    for (int k = 0; k < functions.length; k++) {
      b.append(k == 0 ? "" : " + ").append(weights[k]).append(" * ").append(names.get(k));
    }
    return b.append(", fallback=").append(fallback).append(']').toString();
  }
}
