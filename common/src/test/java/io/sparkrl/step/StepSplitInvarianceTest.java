package io.sparkrl.step;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.sparkrl.advantage.EmaBaseline;
import io.sparkrl.gradient.GradientSum;
import io.sparkrl.optim.AdamW;
import io.sparkrl.policy.PolicySnapshot;
import io.sparkrl.policy.lstm.LstmArchitecture;
import io.sparkrl.policy.lstm.LstmFactory;
import io.sparkrl.tokenizer.Vocabulary;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A step computed in shards (as Spark partitions do) and merged equals the step computed whole,
 * for every advantage estimator, including the ones that need whole-batch statistics.
 */
class StepSplitInvarianceTest {
  static final Vocabulary VOCAB = Vocabulary.ofCharacters("0123456789+? Hhowmuchis.Tanswer");

  static TrainerSettings settings(String estimator, double kl, double entropy) {
    return settings(estimator, kl, entropy, "fast");
  }

  static TrainerSettings settings(String estimator, double kl, double entropy, String backend) {
    return TrainerSettings.from(ConfigFactory.parseString("""
        sparkrl.policy { embedding-size = 8, hidden-size = 12, layers = 2 }
        sparkrl.sampling { group-size = 3, max-new-tokens = 8, temperature = 1.5 }
        sparkrl.advantage.estimator = %s
        sparkrl.loss { kl.coefficient = %s, kl.estimator = k3, entropy-coefficient = %s }
        sparkrl.loss.backend = %s
        sparkrl.reward.functions = [
          { name = length-penalty, weight = 1.0 },
          { name = format, weight = 0.5 } ]
        sparkrl.reward.length-penalty.free-chars = 3
        sparkrl.reward.format.pattern = ".*[0-9].*"
        """.formatted(estimator, kl, entropy, backend)).withFallback(ConfigFactory.defaultReference()));
  }

  static List<PromptRecord> prompts() {
    List<PromptRecord> out = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      out.add(new PromptRecord(10 + i, "How much is " + i + "+" + (2 * i) + "?", "" + 3 * i));
    }
    return out;
  }

  /**
   * The policy is a double network: DL4J's backward pass then computes in double, the fast one in
   * float, so the loss sums of different splits agree to 1e-9 and 1e-6 respectively.
   */
  @ParameterizedTest(name = "{0}, kl={1}, entropy={2}, backend {3}")
  @CsvSource({
      "none, 0, 0, fast", "ema, 0, 0, fast", "batch-mean, 0, 0, fast", "group-mean, 0, 0, fast",
      "rloo, 0, 0, fast", "grpo, 0, 0, fast", "whiten, 0, 0, fast", "batch-mean, 0.2, 0.1, fast",
      "whiten, 0.2, 0.1, fast", "rloo, 0.2, 0.1, fast",
      "batch-mean, 0.2, 0.1, dl4j", "whiten, 0.2, 0.1, dl4j", "rloo, 0.2, 0.1, dl4j"})
  void shardsMergeToTheWholeBatch(String estimator, double kl, double entropy, String backend) {
    TrainerSettings s = settings(estimator, kl, entropy, backend);
    double lossTolerance = backend.equals("fast") ? 1e-6 : 1e-9;
    PolicySnapshot policy = LstmArchitecture.snapshot(
        LstmFactory.create(s.policy(), VOCAB.size(), DataType.DOUBLE), VOCAB, 0);
    PolicySnapshot reference = policy.withParameters(perturbed(policy.parameters()), 0);
    RolloutWorker worker = new RolloutWorker(s);
    StepContext context = new StepContext(99, 4, 0.25).withSamplePrompts(2);
    List<PromptRecord> all = prompts();

    ShardResult whole = worker.run(policy, reference, context, all);
    ShardResult split = PolicyUpdater.merge(List.of(
        worker.run(policy, reference, context, all.subList(0, 2)),
        worker.run(policy, reference, context, List.of()),
        worker.run(policy, reference, context, all.subList(2, 5)),
        worker.run(policy, reference, context, all.subList(5, 6))));

    // the driver's merge of results it owns adds into the first one's arrays: the same bits, and
    // the same shards (a worker is deterministic) merged by copy still hold their own sums
    List<ShardResult> received = List.of(
        worker.run(policy, reference, context, all.subList(0, 2)),
        worker.run(policy, reference, context, List.of()),
        worker.run(policy, reference, context, all.subList(2, 5)),
        worker.run(policy, reference, context, all.subList(5, 6)));
    double[] firstBefore = received.get(0).main().gradient().clone();
    ShardResult inPlace = PolicyUpdater.mergeReceived(received);
    assertSame(received.get(0).main().gradient(), inPlace.main().gradient(), "not in place");
    assertFalse(java.util.Arrays.equals(firstBefore, inPlace.main().gradient()));
    assertArrayEquals(split.main().gradient(), inPlace.main().gradient());
    assertEquals(split.main().sequences(), inPlace.main().sequences());
    assertEquals(split.main().tokens(), inPlace.main().tokens());
    assertEquals(split.main().lossSum(), inPlace.main().lossSum());
    assertEquals(split.ones() == null, inPlace.ones() == null);
    if (split.ones() != null) {
      assertArrayEquals(split.ones().gradient(), inPlace.ones().gradient());
    }
    assertEquals(split.regularizer() == null, inPlace.regularizer() == null);
    if (split.regularizer() != null) {
      assertArrayEquals(split.regularizer().gradient(), inPlace.regularizer().gradient());
    }

    PolicyUpdater updater = new PolicyUpdater(s, new AdamW(s.optimizer(), policy.parameters().length),
        new EmaBaseline(0.25, true));
    GradientSum a = updater.totalGradient(whole);
    GradientSum b = updater.totalGradient(split);
    assertEquals(18, a.sequences());
    assertEquals(a.sequences(), b.sequences());
    assertEquals(a.tokens(), b.tokens());
    assertEquals(whole.rewards().sum(), split.rewards().sum(), 1e-12);
    assertTrue(whole.rewards().besselStd() > 0, "rewards must vary for the test to mean anything");
    assertTrue(norm(a.gradient()) > 1e-6, "gradient is zero: nothing tested");
    assertTrue(relative(a.gradient(), b.gradient()) <= 1e-6,
        "relative difference " + relative(a.gradient(), b.gradient()));
    assertEquals(a.lossSum(), b.lossSum(), lossTolerance * Math.max(1, Math.abs(a.lossSum())));

    // the watching figures and the logged groups do not depend on the split either
    List<String> names = List.of("length-penalty", "format");
    RolloutFigures fa = RolloutFigures.of(whole, null, names, kl > 0);
    RolloutFigures fb = RolloutFigures.of(split, null, names, kl > 0);
    assertEquals(fa.rewardMin(), fb.rewardMin());
    assertEquals(fa.rewardMax(), fb.rewardMax());
    assertEquals(fa.zeroStdFraction(), fb.zeroStdFraction());
    assertEquals(fa.minLength(), fb.minLength());
    assertEquals(fa.maxLength(), fb.maxLength());
    assertEquals(fa.truncatedFraction(), fb.truncatedFraction());
    assertEquals(fa.advantageMean(), fb.advantageMean(), 1e-12);
    assertEquals(fa.entropy(), fb.entropy(), 1e-9);
    assertEquals(fa.functionMeans().get("format"), fb.functionMeans().get("format"), 1e-12);
    assertEquals(kl > 0, fa.klMean() != null);
    assertTrue(fa.rewardMin() <= whole.rewards().mean() && whole.rewards().mean() <= fa.rewardMax());
    assertEquals(List.of(10L, 11L), whole.samples().stream().map(CompletionSample::promptId).toList());
    assertEquals(List.of(10L, 11L), split.samples().stream().limit(2).map(CompletionSample::promptId).toList());
    assertArrayEquals(whole.samples().get(1).rewards(), split.samples().get(1).rewards());
    assertEquals(whole.samples().get(1).completions(), split.samples().get(1).completions());
  }

  static float[] perturbed(float[] p) {
    float[] q = p.clone();
    for (int i = 0; i < q.length; i++) {
      q[i] += 0.05f * (float) Math.sin(i);
    }
    return q;
  }

  static double norm(double[] a) {
    double s = 0;
    for (double x : a) {
      s += x * x;
    }
    return Math.sqrt(s);
  }

  static double relative(double[] a, double[] b) {
    double d = 0;
    for (int i = 0; i < a.length; i++) {
      d += (a[i] - b[i]) * (a[i] - b[i]);
    }
    return Math.sqrt(d) / norm(a);
  }
}
