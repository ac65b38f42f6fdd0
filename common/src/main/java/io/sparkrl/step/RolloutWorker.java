package io.sparkrl.step;

import io.sparkrl.advantage.AdvantageEstimator;
import io.sparkrl.advantage.AdvantageSettings;
import io.sparkrl.advantage.RewardStatistics;
import io.sparkrl.gradient.GradientEngine;
import io.sparkrl.gradient.GradientSum;
import io.sparkrl.gradient.LossSettings;
import io.sparkrl.gradient.SequenceBatch;
import io.sparkrl.gradient.TrainingSequence;
import io.sparkrl.policy.PolicyCache;
import io.sparkrl.policy.PolicyModel;
import io.sparkrl.policy.PolicySnapshot;
import io.sparkrl.reward.WeightedRewards;
import io.sparkrl.sampling.Completion;
import io.sparkrl.sampling.Prompt;
import io.sparkrl.sampling.Sampler;
import io.sparkrl.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * An executor's whole share of a step, with no Spark in sight: sample G completions for each of
 * its prompts, score them, compute advantages, and return the REINFORCE gradient sums
 * ({@link ShardResult}). The Spark job and the in-process reference step both run exactly this.
 */
public final class RolloutWorker {
  private final TrainerSettings settings;

  public RolloutWorker(TrainerSettings settings) {
    this.settings = settings;
  }

  /**
   * The shard's result, in passes of at most {@code sampling.max-batch-sequences} completions
   * (whole prompt groups each) whose sums are added in prompt order: every per-sequence term is
   * the same as in one pass (a completion's tokens do not depend on its batch-mates), so only the
   * float summation order differs.
   *
   * @param prompts this shard's prompts, in the step's order
   * @param reference the frozen reference policy (used when the KL term is on), or null
   */
  public ShardResult run(PolicySnapshot policy, PolicySnapshot reference, StepContext context,
      List<PromptRecord> prompts) {
    if (settings.loss().usesReference() && reference == null) {
      throw new IllegalArgumentException("the KL term (sparkrl.loss.kl.coefficient = "
          + settings.loss().klCoefficient() + ") needs a reference policy");
    }
    if (prompts.isEmpty()) {
      return ShardResult.empty(policy.parameters().length);
    }
    int perPass = settings.sampling().promptsPerPass(prompts.size());
    ShardResult result = null;
    // built once per task, closed after its last pass: stops the worker thread of guarded calls
    try (WeightedRewards rewardFunctions = WeightedRewards.create(settings.reward())) {
      for (int from = 0; from < prompts.size(); from += perPass) {
        List<PromptRecord> pass = prompts.subList(from, Math.min(prompts.size(), from + perPass));
        ShardResult r = runPass(policy, reference, context, pass, rewardFunctions);
        result = result == null ? r : result.plus(r);
      }
    }
    return result;
  }

  /** One sampling + reward + gradient pass over some whole prompt groups. */
  private ShardResult runPass(PolicySnapshot policy, PolicySnapshot reference, StepContext context,
      List<PromptRecord> prompts, WeightedRewards rewardFunctions) {
    PolicyModel model = PolicyCache.model("policy", policy);
    Tokenizer vocabulary = policy.tokenizer();
    int g = settings.sampling().groupSize();

    long t0 = System.nanoTime();
    List<Prompt> encoded = new ArrayList<>(prompts.size());
    for (PromptRecord p : prompts) {
      encoded.add(new Prompt(p.id(), encodePrompt(vocabulary, p)));
    }
    List<Completion> completions = new Sampler(model.stepper(settings.sampling().device(),
        settings.sampling().maxNewTokens()),
        settings.sampling(), vocabulary.eosToken())
        .sample(encoded, context.seed(), context.step());

    long t1 = System.nanoTime();
    double[] rewards = new double[completions.size()];
    double[][] functionScores;
    List<String> texts = new ArrayList<>(completions.size());
    long finished = 0;
    long rewardFailures = -rewardFunctions.failures(); // this pass's counts: the counters run on
    long rewardTimeouts = -rewardFunctions.timeouts(); // over the task's passes
    {
      List<String> promptTexts = new ArrayList<>(rewards.length);
      List<String> references = new ArrayList<>(rewards.length);
      for (int i = 0; i < rewards.length; i++) {
        Completion c = completions.get(i);
        PromptRecord p = prompts.get(i / g);
        texts.add(vocabulary.decode(c.tokens(), 0, c.textLength()));
        promptTexts.add(p.prompt());
        references.add(p.reference());
        finished += c.finished() ? 1 : 0;
      }
      // one batch: guarded (user) functions cost two thread hand-offs per pass, not per call
      functionScores = rewardFunctions.scores(promptTexts, texts, references);
      for (int i = 0; i < rewards.length; i++) {
        rewards[i] = rewardFunctions.total(functionScores[i]);
      }
      rewardFailures += rewardFunctions.failures();
      rewardTimeouts += rewardFunctions.timeouts();
    }

    long t2 = System.nanoTime();
    List<TrainingSequence> sequences = new ArrayList<>(completions.size());
    for (int i = 0; i < rewards.length; i++) {
      sequences.add(TrainingSequence.of(encoded.get(i / g).tokens(), completions.get(i).tokens()));
    }
    SequenceBatch batch = new SequenceBatch(sequences);
    LossSettings loss = settings.loss();
    double[][] referenceLogProbs = loss.usesReference()
        ? referenceLogProbs(batch, reference) : null;
    GradientEngine pass = model.gradient(loss.backend(), "policy");
    AdvantageSettings adv = settings.advantage();
    AdvantageEstimator estimator = adv.estimator();

    GradientSum main;
    long dropped = 0;
    GradientSum ones = null;
    GradientSum regularizer = null;
    double[] advantages = null;
    if (estimator.needsBatchStatistics()) {
      boolean separateRegularizer = estimator == AdvantageEstimator.WHITEN && loss.hasRegularizer();
      main = pass.sum(batch, rewards, separateRegularizer ? null : loss, referenceLogProbs);
      ones = pass.sum(batch, filled(rewards.length, 1), null, null);
      if (separateRegularizer) {
        regularizer = pass.sum(batch, filled(rewards.length, 0), loss, referenceLogProbs);
      }
    } else {
      advantages = estimator.advantages(rewards, g, context.emaBaseline(), adv.epsilon());
      int[] kept = adv.dropUniformGroups() ? UniformGroups.kept(rewards, g) : null;
      dropped = kept == null ? 0 : (rewards.length - kept.length) / g;
      if (kept == null) {
        main = pass.sum(batch, advantages, loss, referenceLogProbs);
      } else if (kept.length == 0) {
        main = GradientSum.zero(policy.parameters().length);
      } else {
        main = pass.sum(UniformGroups.select(batch, kept), UniformGroups.select(advantages, kept),
            loss, referenceLogProbs == null ? null : UniformGroups.select(referenceLogProbs, kept));
      }
    }
    long t3 = System.nanoTime();
    RolloutObservation seen = new RolloutObservation(prompts, texts, completions, rewards,
        functionScores, advantages, g);
    return new ShardResult(main, ones, regularizer, RewardStatistics.of(rewards),
        rewardFailures, finished, t1 - t0, t2 - t1, t3 - t2,
        seen.statistics(referenceLogProbs, loss.klEstimator(), dropped),
        seen.samples(context.samplePrompts()),
        rewardTimeouts);
  }

  private double[][] referenceLogProbs(SequenceBatch batch, PolicySnapshot reference) {
    return PolicyCache.model("reference", reference)
        .gradient(settings.loss().backend(), "reference").completionLogProbs(batch);
  }

  private int[] encodePrompt(Tokenizer vocabulary, PromptRecord p) {
    try {
      return vocabulary.encodePrompt(p.prompt(), settings.tokenizer().unknown());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("prompt " + p.id() + ": " + e.getMessage(), e);
    }
  }

  private static double[] filled(int n, double value) {
    double[] a = new double[n];
    java.util.Arrays.fill(a, value);
    return a;
  }
}
