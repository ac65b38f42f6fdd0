package io.sparkrl.sampling;

import com.typesafe.config.Config;
import io.sparkrl.settings.Reference;
import io.sparkrl.settings.Section;
import io.sparkrl.settings.SettingsException;
import java.io.Serializable;

/**
 * Settings under {@code sparkrl.sampling}.
 *
 * @param maxBatchSequences most completions one task samples and back-propagates in one pass
 *     (0: all of the task's at once); a task with more runs several passes, whole prompt groups
 *     each, and adds their gradient sums
 * @param device where sampling runs: the CPU kernel, the network's ops, or auto (network on CUDA)
 */
public record SamplingSettings(int groupSize, double temperature, int topK, double topP,
    int maxNewTokens, int maxBatchSequences, SamplingDevice device) implements Serializable {

  public SamplingSettings {
    if (groupSize < 1 || !(temperature > 0) || topK < 0 || !(topP > 0 && topP <= 1)
        || maxNewTokens < 1) {
      throw new IllegalArgumentException("invalid sampling settings: " + groupSize + ", "
          + temperature + ", " + topK + ", " + topP + ", " + maxNewTokens);
    }
    if (maxBatchSequences != 0 && maxBatchSequences < groupSize) {
      throw new IllegalArgumentException("sparkrl.sampling.max-batch-sequences = "
          + maxBatchSequences + " must be 0 (all at once) or at least sparkrl.sampling.group-size"
          + " = " + groupSize + ": a prompt's G completions stay in one pass");
    }
    if (device == null) {
      throw new IllegalArgumentException("sparkrl.sampling.device == null");
    }
  }

  /** With reference.conf's {@code sparkrl.sampling.device}. */
  public SamplingSettings(int groupSize, double temperature, int topK, double topP,
      int maxNewTokens, int maxBatchSequences) {
    this(groupSize, temperature, topK, topP, maxNewTokens, maxBatchSequences,
        SamplingDevice.parse(Reference.config().getString("sparkrl.sampling.device")));
  }

  /** With reference.conf's {@code max-batch-sequences} and {@code device}. */
  public SamplingSettings(int groupSize, double temperature, int topK, double topP,
      int maxNewTokens) {
    this(groupSize, temperature, topK, topP, maxNewTokens,
        Reference.config().getInt("sparkrl.sampling.max-batch-sequences"));
  }

  public static SamplingSettings from(Config config) {
    Section s = new Section(config, "sparkrl.sampling");
    int groupSize = s.intIn("group-size", 1, 1024);
    int maxBatch = s.nonNegativeInt("max-batch-sequences");
    if (maxBatch != 0 && maxBatch < groupSize) {
      throw new SettingsException("sparkrl.sampling.max-batch-sequences", maxBatch, "must be 0 (all"
          + " at once) or at least sparkrl.sampling.group-size (" + groupSize + "): a prompt's G"
          + " completions stay in one pass");
    }
    return new SamplingSettings(groupSize, s.doubleAbove("temperature", 0, 100),
        s.nonNegativeInt("top-k"), s.doubleAbove("top-p", 0, 1), s.intIn("max-new-tokens", 1, 4096),
        maxBatch, SamplingDevice.parse(s.oneOf("device", SamplingDevice.NAMES)));
  }

  /** Greedy decoding (evaluation): one completion per prompt, the most likely token each time. */
  public static SamplingSettings greedy(int maxNewTokens) {
    return new SamplingSettings(1, 1.0, 1, 1.0, maxNewTokens);
  }

  /** Prompts per sampling pass: whole groups, at most {@code maxBatchSequences} completions. */
  public int promptsPerPass(int prompts) {
    return maxBatchSequences == 0 ? prompts : Math.max(1, maxBatchSequences / groupSize);
  }

  public boolean isGreedy() {
    return topK == 1;
  }
}
