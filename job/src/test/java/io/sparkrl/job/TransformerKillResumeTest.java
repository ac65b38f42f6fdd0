package io.sparkrl.job;

import java.util.List;

/**
 * {@link KillResumeTest} with a transformer policy: killed between steps and in the middle of a
 * checkpoint write (after {@code policy.bin}), the same command ends with the uninterrupted run's
 * parameters, bit for bit. The kills at random moments are the LSTM's alone: what they add (a kill
 * anywhere else) does not depend on the architecture, and each costs the slow phase a minute.
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

  /** Not a test here (no {@code @Test}): see the class comment. */
  @Override
  void killedAtRandomMomentsResumesToTheSameParameters() {}
}
