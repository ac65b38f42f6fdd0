package io.sparkrl.job.driver;

import io.sparkrl.job.config.JobConfig;
import io.sparkrl.job.config.JobSettings;
import io.sparkrl.job.hf.PolicySource;
import io.sparkrl.job.output.RunDirectory;
import io.sparkrl.policy.PolicySnapshot;
import io.sparkrl.sampling.SamplingSettings;
import java.io.IOException;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The {@code evaluate} command: the held-out greedy accuracy of {@code run.init-policy} and, with
 * {@code eval.samples} = G > 0, pass@1 and pass@G of G completions per prompt sampled at
 * {@code sparkrl.sampling}'s temperature, top-k and top-p. Printed, and written to the run
 * directory's {@code evaluation.json}.
 */
public final class EvaluateCommand {
  private EvaluateCommand() {}

  public static void run(JavaSparkContext sc, JobConfig config, RunDirectory out, PrintStream print)
      throws IOException {
    JobSettings job = config.job();
    PolicySnapshot policy = PolicySource.initPolicy(config, sc.hadoopConfiguration());
    SamplingSettings s = config.trainer().sampling();
    int g = job.eval().samples();
    SamplingSettings sampled = g == 0 ? null : new SamplingSettings(g, s.temperature(), s.topK(),
        s.topP(), job.eval().maxNewTokens(), 0, s.device());
    Evaluator.Evaluation e = Evaluator.heldOut(sc, config, policy.tokenizer())
        .evaluate(policy, sampled, job.run().seed());
    print.printf("held-out greedy accuracy of %s: %.4f%n", job.run().initPolicy(),
        e.greedyAccuracy());
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("policy", job.run().initPolicy());
    figures.put("eval_corpus", job.corpus().eval());
    figures.put("prompts", e.prompts());
    figures.put("greedy_accuracy", e.greedyAccuracy());
    figures.put("samples", g);
    if (g > 0) {
      print.printf("pass@1 %.4f, pass@%d %.4f (%d sampled completions per prompt, temperature"
          + " %s)%n", e.passAt1(), g, e.passAtSamples(), g, s.temperature());
      figures.put("temperature", s.temperature());
      figures.put("pass_at_1", e.passAt1());
      figures.put("pass_at_samples", e.passAtSamples());
    }
    out.writeEvaluation(figures);
  }
}
