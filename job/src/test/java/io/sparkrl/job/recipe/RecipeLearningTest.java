package io.sparkrl.job.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkrl.job.Main;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The bundled recipes teach correctness: each shipped conf/ recipe run through {@link Main} as the
 * quickstart runs it (generate, train-tokenizer, sft, evaluate, reinforce, evaluate), only its
 * paths moved to a temporary folder. REINFORCE with the correctness-only reward must raise
 * held-out greedy accuracy by at least 15 points over the SFT policy it started from, and the
 * training reward's mean over the last 20% of steps must be at least 1.5 times its mean over the
 * first 20%. Held-out questions are never trained on by either phase.
 */
@Tag("slow") // integration-test phase: mvn verify, not mvn test
class RecipeLearningTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void localSpark() {
    System.setProperty("spark.master", "local[2]");
    System.setProperty("spark.ui.enabled", "false");
  }

  @AfterAll
  static void clear() {
    System.clearProperty("spark.master");
    System.clearProperty("spark.ui.enabled");
  }

  @ParameterizedTest
  @ValueSource(strings = {"arithmetic", "sorting"})
  void reinforceTeachesWhatSftDidNot(String recipe, @TempDir Path tmp) throws IOException {
    Recipe r = new Recipe("../conf/" + recipe + ".conf", tmp);
    r.main("generate");
    r.main("train-tokenizer");
    r.main("sft", "run.dir=\"" + tmp.resolve("sft") + "\"");
    r.main("evaluate", "run.dir=\"" + tmp.resolve("eval-sft") + "\"",
        "run.init-policy=\"" + tmp.resolve("sft/policy.bin") + "\"");
    r.main("reinforce", "run.dir=\"" + tmp.resolve("rl") + "\"",
        "run.init-policy=\"" + tmp.resolve("sft/policy.bin") + "\"");
    r.main("evaluate", "run.dir=\"" + tmp.resolve("eval-rl") + "\"",
        "run.init-policy=\"" + tmp.resolve("rl/policy.bin") + "\"");

    JsonNode before = JSON.readTree(tmp.resolve("eval-sft/evaluation.json").toFile());
    JsonNode after = JSON.readTree(tmp.resolve("eval-rl/evaluation.json").toFile());
    List<Double> rewards = new ArrayList<>();
    for (String line : Files.readAllLines(tmp.resolve("rl/metrics.jsonl"))) {
      JsonNode m = JSON.readTree(line);
      if (m.has("reward_mean")) {
        rewards.add(m.get("reward_mean").asDouble());
      }
    }
    int fifth = rewards.size() / 5;
    double first = mean(rewards.subList(0, fifth));
    double last = mean(rewards.subList(rewards.size() - fifth, rewards.size()));
    System.out.printf("%s recipe: held-out greedy accuracy SFT %.3f -> REINFORCE %.3f; pass@1 %.3f"
        + " -> %.3f; pass@%d %.3f -> %.3f; training reward first 20%% of %d steps %.3f, last 20%%"
        + " %.3f (x%.2f)%n", recipe, before.get("greedy_accuracy").asDouble(),
        after.get("greedy_accuracy").asDouble(), before.get("pass_at_1").asDouble(),
        after.get("pass_at_1").asDouble(), after.get("samples").asInt(),
        before.get("pass_at_samples").asDouble(), after.get("pass_at_samples").asDouble(),
        rewards.size(), first, last, last / first);

    assertEquals(before.get("prompts").asLong(), after.get("prompts").asLong());
    assertTrue(before.get("prompts").asLong() >= 200, "too few held-out prompts to measure");
    double gain = after.get("greedy_accuracy").asDouble() - before.get("greedy_accuracy").asDouble();
    assertTrue(gain >= 0.15, recipe + ": REINFORCE raised held-out greedy accuracy by "
        + gain + ", less than 15 points");
    assertTrue(last >= 1.5 * first, recipe + ": training reward " + first + " (first 20%) -> "
        + last + " (last 20%), less than 1.5x");
    assertTrue(after.get("pass_at_1").asDouble() > before.get("pass_at_1").asDouble(),
        recipe + ": pass@1 did not rise");
    assertTrue(after.get("pass_at_samples").asDouble() >= after.get("pass_at_1").asDouble());

    // Sampling at a temperature near 0 is greedy decoding: its pass@1 is the greedy accuracy.
    r.main("evaluate", "run.dir=\"" + tmp.resolve("eval-cold") + "\"",
        "run.init-policy=\"" + tmp.resolve("rl/policy.bin") + "\"", "sampling.temperature=0.001",
        "eval.samples=2");
    JsonNode cold = JSON.readTree(tmp.resolve("eval-cold/evaluation.json").toFile());
    assertEquals(after.get("greedy_accuracy").asDouble(), cold.get("greedy_accuracy").asDouble());
    assertEquals(cold.get("greedy_accuracy").asDouble(), cold.get("pass_at_1").asDouble(), 0.01);
  }

  private static double mean(List<Double> xs) {
    double s = 0;
    for (double x : xs) {
      s += x;
    }
    return s / xs.size();
  }

  /** A shipped recipe with its data, tokenizer and run folders under {@code tmp}. */
  private record Recipe(String conf, Path tmp) {
    void main(String command, String... more) {
      Path data = tmp.resolve("data");
      List<String> args = new ArrayList<>(List.of(command, "--config", conf,
          "arithmetic.dir=\"" + data + "\"", "sorting.dir=\"" + data + "\"",
          "corpus.train=\"" + data.resolve("train.jsonl") + "\"",
          "corpus.eval=\"" + data.resolve("eval.jsonl") + "\"",
          "train-tokenizer.output=\"" + data.resolve("tokenizer.json") + "\"",
          "tokenizer.file=\"" + data.resolve("tokenizer.json") + "\"",
          "monitor.report=false"));
      args.addAll(List.of(more));
      int code = Main.run(args.toArray(new String[0]));
      assertEquals(Main.OK, code, command + " " + String.join(" ", more) + " exited " + code);
    }
  }
}
