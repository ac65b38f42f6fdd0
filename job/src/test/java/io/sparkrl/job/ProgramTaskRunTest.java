package io.sparkrl.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkrl.reward.Reward;
import io.sparkrl.reward.program.Execution;
import io.sparkrl.reward.program.Interpreter;
import io.sparkrl.reward.program.ProgramLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The program task end to end through {@link Main} with {@code conf/programs.conf}: generate,
 * then REINFORCE on local[2] with program-runs and two user rewards, one that throws on some
 * prompts and one that never returns on others. The run finishes, and metrics.jsonl counts every
 * fallback exactly.
 */
class ProgramTaskRunTest {
  static final Path RECIPE = Path.of("..", "conf", "programs.conf");
  static final int G = 2;

  /** Throws when the reference answer is odd. */
  public static final class ThrowsOnOdd implements Reward {
    @Override
    public double score(String prompt, String completion, String reference) {
      if (Integer.parseInt(reference) % 2 != 0) {
        throw new IllegalStateException("user bug on " + reference);
      }
      return 0.5;
    }
  }

  /** Never returns, and ignores interrupts, when the reference answer ends in 3. */
  public static final class HangsOnThree implements Reward {
    @Override
    public double score(String prompt, String completion, String reference) {
      while (reference.endsWith("3")) {
        try {
          Thread.sleep(60_000);
        } catch (InterruptedException ignored) {
          // keeps sleeping
        }
      }
      return 0.5;
    }
  }

  @Test
  void generatesTheTaskAndARunWithUnreliableRewardsFinishes(@TempDir Path tmp) throws Exception {
    assertTrue(Files.isRegularFile(RECIPE), RECIPE.toAbsolutePath().toString());
    Path data = tmp.resolve("programs");
    // 40 targets, 8 held out: 32 training prompts, exactly 4 steps of 8
    assertEquals(Main.OK, Main.run(new String[] {"generate", "--config", RECIPE.toString(),
        "programs.dir=\"" + data + "\"", "programs.max-target=39"}));
    List<String> train = Files.readAllLines(data.resolve("train.jsonl"));
    assertEquals(32, train.size());
    assertEquals(8, Files.readAllLines(data.resolve("eval.jsonl")).size());

    ObjectMapper json = new ObjectMapper();
    Interpreter interpreter = new Interpreter(new ProgramLimits(10_000, 64, 1_000_000_000L, 16, 250_000_000L));
    long odd = 0;
    long three = 0;
    for (String line : train) {
      JsonNode row = json.readTree(line);
      String answer = row.get("answer").asText();
      assertEquals("Write a program for " + answer + ".", row.get("prompt").asText());
      Execution reference = interpreter.run(row.get("completion").asText());
      assertTrue(reference.runs(), line);
      assertEquals(Long.parseLong(answer), reference.value(), line);
      odd += Integer.parseInt(answer) % 2;
      three += answer.endsWith("3") ? 1 : 0;
    }
    assertTrue(odd > 0 && three > 0, "the corpus must exercise both failures");

    Path run = tmp.resolve("run");
    System.setProperty("spark.master", "local[2]");
    System.setProperty("spark.ui.enabled", "false");
    long t0 = System.nanoTime();
    try {
      int code = Main.run(new String[] {"reinforce", "--config", RECIPE.toString(),
          "corpus.train=\"" + data.resolve("train.jsonl") + "\"", "run.dir=\"" + run + "\"",
          "run.steps=4", "run.prompts-per-step=8", "sampling.group-size=" + G,
          "reward.timeout=500ms", "reward.fallback=-1",
          "reward.functions=[{name=program-runs, weight=1}, {name=\"" + ThrowsOnOdd.class.getName()
              + "\", weight=1}, {name=\"" + HangsOnThree.class.getName() + "\", weight=1}]"});
      assertEquals(Main.OK, code);
    } finally {
      System.clearProperty("spark.master");
      System.clearProperty("spark.ui.enabled");
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertTrue(Files.exists(run.resolve("_SUCCESS")));
    List<String> metrics = Files.readAllLines(run.resolve("metrics.jsonl"));
    assertEquals(4, metrics.size(), String.join("\n", metrics));
    long failures = 0;
    long timeouts = 0;
    for (String line : metrics) {
      JsonNode m = json.readTree(line);
      failures += m.get("reward_failures").asLong();
      timeouts += m.get("reward_timeouts").asLong();
    }
    // one epoch: every training prompt once, G completions each
    assertEquals(G * odd, failures, String.join("\n", metrics));
    assertEquals(G * three, timeouts, String.join("\n", metrics));
    assertTrue(seconds < 120, "took " + seconds + " s");
  }
}
