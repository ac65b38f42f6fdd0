package io.sparkrl.job;

import java.util.List;

/**
 * {@link KillResumeCases} with a transformer policy: killed between steps and in the middle of a
 * checkpoint write (after {@code policy.bin}), the same command ends with the uninterrupted run's
 * parameters, bit for bit.
 */
class TransformerKillResumeTest extends KillResumeCases {
  @Override
  List<String> policy() {
    return List.of(DistributedStepTest.transformer("llama"));
  }

  @Override
  String firstPolicyFile() {
    return "policy.bin";
  }
}
