package io.sparkrl.step;

import com.typesafe.config.Config;
import io.sparkrl.advantage.AdvantageSettings;
import io.sparkrl.gradient.LossSettings;
import io.sparkrl.optim.OptimizerSettings;
import io.sparkrl.policy.PolicySettings;
import io.sparkrl.reward.RewardSettings;
import io.sparkrl.sampling.SamplingSettings;
import io.sparkrl.settings.Section;
import io.sparkrl.tokenizer.TokenizerSettings;
import java.io.Serializable;

/**
 * Every setting of the REINFORCE core, read once and validated together, so that a bad value stops
 * the run before any work starts. Executors receive this object, never a {@code Config}.
 *
 * @param maxConsecutiveSkippedSteps {@code sparkrl.trainer.max-consecutive-skipped-steps}: the run
 *     stops after this many updates in a row were skipped for a non-finite loss or gradient
 */
public record TrainerSettings(TokenizerSettings tokenizer, PolicySettings policy,
    SamplingSettings sampling, RewardSettings reward, AdvantageSettings advantage,
    LossSettings loss, OptimizerSettings optimizer, int maxConsecutiveSkippedSteps)
    implements Serializable {

  public static TrainerSettings from(Config config) {
    TrainerSettings s = new TrainerSettings(TokenizerSettings.from(config), PolicySettings.from(config),
        SamplingSettings.from(config), RewardSettings.from(config), AdvantageSettings.from(config),
        LossSettings.from(config), OptimizerSettings.from(config),
        new Section(config, "sparkrl.trainer").intIn("max-consecutive-skipped-steps", 1, 1_000_000));
    s.advantage().checkGroupSize(s.sampling().groupSize(), "sparkrl.sampling.group-size");
    return s;
  }
}
