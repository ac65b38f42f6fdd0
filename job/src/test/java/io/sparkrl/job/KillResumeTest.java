package io.sparkrl.job;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link KillResumeCases} with the character LSTM, and also killed at random moments of training.
 * The random kills are this class's alone: what they add (a kill anywhere else) does not depend on
 * the architecture, and each costs the slow phase a minute.
 */
class KillResumeTest extends KillResumeCases {
  @Override
  List<String> policy() {
    return List.of("policy.hidden-size=16", "policy.embedding-size=8");
  }

  @Override
  String firstPolicyFile() {
    return "policy.zip";
  }

  @Test
  void killedAtRandomMomentsResumesToTheSameParameters() throws Exception {
    Path dir = tmp.resolve("random");
    Random random = new Random(20261124);
    List<Integer> waited = new ArrayList<>();
    for (int kill = 0; kill < 2; kill++) {
      ChildJob run = ChildJob.start(tmp.resolve("random-" + kill + ".log"), List.of(), args(dir));
      // once training has started (a metrics line exists), kill at a random moment
      run.awaitFile(dir.resolve("metrics.jsonl"), 300);
      int ms = random.nextInt(1500);
      waited.add(ms);
      Thread.sleep(ms);
      run.kill();
    }
    resumeAndCompare(dir, "random kills after " + waited + " ms");
  }
}
