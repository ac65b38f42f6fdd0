package io.sparkrl.job;

import java.util.List;

/**
 * {@link KillResumeTest} with a transformer policy: killed between steps, in the middle of a
 * checkpoint write (after {@code policy.bin}), and at random moments, the same command ends with
 * the uninterrupted run's parameters, bit for bit.
 */
class TransformerKillResumeTest extends KillResumeTest {
  @Override
  List<String> policy() {
    return List.of(DistributedStepTest.transformer("llama"));
  }

  @Override
  String firstPolicyFile() {
    return "policy.bin";
  }
}
