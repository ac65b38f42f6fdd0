package io.sparkrl.job.driver;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrl.job.config.JobConfig;
import io.sparkrl.settings.SettingsException;
import io.sparkrl.step.TrainerSettings;
import java.util.List;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

class StepResultBudgetTest {
  static TrainerSettings trainer(String... overrides) {
    return JobConfig.load(null, List.of(overrides)).trainer();
  }

  @Test
  void sumsPerResultFollowTheEstimatorAndTheRegularizer() {
    // the advantage applied on the executors: one sum, the regularizer inside it
    assertEquals(1, StepResultBudget.reinforce(trainer("advantage.estimator=grpo",
        "loss.kl.coefficient=0.1"), 100, 2, 8).sumsPerResult());
    // batch statistics: the weighted terms and the plain ones
    assertEquals(2, StepResultBudget.reinforce(trainer("advantage.estimator=batch-mean",
        "loss.entropy-coefficient=0.01"), 100, 2, 8).sumsPerResult());
    assertEquals(2, StepResultBudget.reinforce(trainer("advantage.estimator=whiten",
        "loss.kl.coefficient=0", "loss.entropy-coefficient=0"), 100, 2, 8).sumsPerResult());
    // whiten keeps the regularizer apart
    assertEquals(3, StepResultBudget.reinforce(trainer("advantage.estimator=whiten",
        "loss.kl.coefficient=0", "loss.entropy-coefficient=0.01"), 100, 2, 8).sumsPerResult());
    assertEquals(1, StepResultBudget.sft(100, 2, 8).sumsPerResult());
  }

  @Test
  void theTopOfTheMergeTreeReachesTheDriver() {
    StepResultBudget direct = StepResultBudget.sft(1000, 5, 8);
    assertEquals(5, direct.results());
    assertFalse(direct.merged());
    assertEquals(8, StepResultBudget.sft(1000, 8, 8).results());
    // TreeMerge's levels: 9-16 tasks fold into 2 groups, 32 into 4, 64 into 8, 65 into 9 then 2
    assertEquals(2, StepResultBudget.sft(1000, 9, 8).results());
    assertEquals(2, StepResultBudget.sft(1000, 16, 8).results());
    assertEquals(8, StepResultBudget.sft(1000, 64, 8).results());
    assertEquals(2, StepResultBudget.sft(1000, 65, 8).results());
    assertEquals(2, StepResultBudget.sft(1000, 3, 2).results());
    StepResultBudget tree = StepResultBudget.sft(1000, 32, 8);
    assertEquals(4, tree.results());
    assertTrue(tree.merged());
    assertEquals(4L * 4 * 1000, tree.wireBytes());
    // four sums read as doubles (merged into the first) and 28 bytes a parameter kept by the run
    assertEquals(8L * 4 * 1000 + 28L * 1000, tree.heapBytes());
    assertEquals(8L * 1000 + 28L * 1000, StepResultBudget.sft(1000, 1, 8).heapBytes());
    // two sums a result (batch statistics): twice the doubles
    assertEquals(8L * 2 * 2 * 1000 + 28L * 1000, StepResultBudget.reinforce(
        trainer("advantage.estimator=batch-mean"), 1000, 2, 8).heapBytes());
  }

  @Test
  void aResultLimitTheStepExceedsIsRefusedNamingTheKeyAndWhatItNeeds() {
    // SmolLM2-135M's parameters, 2 tasks: two float sums of 540 MB exceed Spark's 1 GiB default
    StepResultBudget b = StepResultBudget.sft(134_515_008, 2, 8);
    SparkConf spark1g = new SparkConf(false).set(StepResultBudget.MAX_RESULT_SIZE, "1g");
    SettingsException e = assertThrows(SettingsException.class,
        () -> b.check(spark1g, 64L << 30, 8, 0, 2));
    assertEquals(StepResultBudget.MAX_RESULT_SIZE, e.key());
    assertTrue(e.getMessage().startsWith("spark.driver.maxResultSize = \"1g\": each step returns at"
        + " least 1.00 GiB"), e.getMessage());
    assertTrue(e.getMessage().contains("2 task results of 1 gradient sum x 4 bytes x 134,515,008"
        + " parameters"), e.getMessage());
    assertTrue(e.getMessage().contains("sparkrl.run.merge-fan-in = 8"), e.getMessage());
    // raised, unset (no limit: the heap is checked) or 0: accepted
    assertDoesNotThrow(() -> b.check(new SparkConf(false).set(StepResultBudget.MAX_RESULT_SIZE,
        "2g"), 64L << 30, 8, 0, 2));
    assertDoesNotThrow(() -> b.check(new SparkConf(false), 64L << 30, 8, 0, 2));
    assertDoesNotThrow(() -> b.check(new SparkConf(false).set(StepResultBudget.MAX_RESULT_SIZE,
        "0"), 64L << 30, 8, 0, 2));
  }

  @Test
  void aDriverHeapThatCannotHoldAStepIsRefusedBeforeTheFirstStep() {
    StepResultBudget b = StepResultBudget.sft(134_515_008, 2, 8);
    // 2 results as doubles (2 x 8 bytes) + 28 bytes kept: 44 bytes a parameter
    assertEquals(44L * 134_515_008, b.heapBytes());
    SettingsException e = assertThrows(SettingsException.class,
        () -> b.check(new SparkConf(false), 5L << 30, 8, 0, 2));
    assertEquals("spark.driver.memory", e.key());
    assertTrue(e.getMessage().startsWith("spark.driver.memory = \"5.00 GiB of heap\"")
        && e.getMessage().contains("needs at least 5.51 GiB"), e.getMessage());
    assertDoesNotThrow(() -> b.check(new SparkConf(false), 6L << 30, 8, 0, 2));
  }
}
