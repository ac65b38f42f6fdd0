package io.sparkrl.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrl.job.config.JobConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Bad configurations, and a corpus path without data, stop the job with exit code 2 before Spark
 * starts, naming the key or the path.
 */
class MainConfigurationTest {
  record Outcome(int code, String stderr) {}

  static Outcome run(String... args) {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      return new Outcome(Main.run(args), captured.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(original);
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "sampling.temprature=0.7 | sparkrl.sampling.temprature",
      "run.stpes=10 | sparkrl.run.stpes",
      "policy.layers=two | sparkrl.policy.layers",
      "run.steps=-5 | sparkrl.run.steps",
      "sampling.top-p=1.5 | sparkrl.sampling.top-p",
      "advantage.estimator=ppo | sparkrl.advantage.estimator",
      "optimizer.learning-rate=0 | sparkrl.optimizer.learning-rate",
      "-Dsparkrl.sampling.group-size=0 | sparkrl.sampling.group-size",
      "reward.format.pattern=\"([\" | sparkrl.reward.format.pattern",
      "reward.timeout=0s | sparkrl.reward.timeout",
      "reward.program.max-stack=0 | sparkrl.reward.program.max-stack",
      "generate.task=poems | sparkrl.generate.task",
      "programs.max-target=0 | sparkrl.programs.max-target",
      "policy.max-prompt-tokens=0 | sparkrl.policy.max-prompt-tokens",
      "corpus.format=xml | sparkrl.corpus.format",
      "corpus.malformed=ignore | sparkrl.corpus.malformed",
      "sft.stop-at-accuracy=1.5 | sparkrl.sft.stop-at-accuracy",
      "sft.eval-every-steps=-1 | sparkrl.sft.eval-every-steps"})
  void badSettingExitsTwoNamingTheKey(String override, String key) {
    Outcome o = run("reinforce", override);
    assertEquals(Main.BAD_CONFIGURATION, o.code(), o.stderr());
    assertTrue(o.stderr().contains(key), o.stderr());
    assertTrue(o.stderr().startsWith("configuration error:"), o.stderr());
  }

  @Test
  void sftSettingsThatNeedOthersExitTwoBeforeSparkStarts(@TempDir Path tmp) throws Exception {
    List<String> corpus = TestCorpus.write(tmp.resolve("corpus"), 5, 3);
    String train = "corpus.train=\"" + corpus.get(0) + "\"";
    String dir = "run.dir=\"" + tmp.resolve("run") + "\"";
    Outcome noEval = run("sft", train, "corpus.eval=\"\"", dir, "policy.architecture=transformer",
        "sft.stop-at-accuracy=0.5");
    assertEquals(Main.BAD_CONFIGURATION, noEval.code(), noEval.stderr());
    assertTrue(noEval.stderr().contains("sparkrl.sft.stop-at-accuracy")
        && noEval.stderr().contains("sparkrl.corpus.eval"), noEval.stderr());
    Outcome everyNoEval = run("sft", train, "corpus.eval=\"\"", dir,
        "policy.architecture=transformer", "sft.eval-every-steps=5");
    assertEquals(Main.BAD_CONFIGURATION, everyNoEval.code(), everyNoEval.stderr());
    assertTrue(everyNoEval.stderr().contains("sparkrl.sft.eval-every-steps"), everyNoEval.stderr());
    Outcome lstm = run("sft", train, "corpus.eval=\"" + corpus.get(1) + "\"", dir,
        "sft.eval-every-steps=5");
    assertEquals(Main.BAD_CONFIGURATION, lstm.code(), lstm.stderr());
    assertTrue(lstm.stderr().contains("sparkrl.sft.eval-every-steps")
        && lstm.stderr().contains("dl4j-spark"), lstm.stderr());
    assertFalse(Files.exists(tmp.resolve("run").resolve("metrics.jsonl")), "nothing was started");
  }

  @Test
  void unknownCommandAndMissingConfigFileExitTwo(@TempDir Path tmp) {
    assertEquals(Main.BAD_CONFIGURATION, run("train").code());
    Outcome o = run("reinforce", "--config", tmp.resolve("nope.conf").toString());
    assertEquals(Main.BAD_CONFIGURATION, o.code());
    assertTrue(o.stderr().contains("nope.conf"), o.stderr());
  }

  @Test
  void badValueInAConfigFileNamesKeyAndFile(@TempDir Path tmp) throws Exception {
    Path file = tmp.resolve("bad.conf");
    Files.writeString(file, "sparkrl {\n  sampling {\n    group-sise = 4\n  }\n}\n");
    Outcome o = run("reinforce", "--config", file.toString());
    assertEquals(Main.BAD_CONFIGURATION, o.code());
    assertTrue(o.stderr().contains("sparkrl.sampling.group-sise"), o.stderr());
    assertTrue(o.stderr().contains("bad.conf: 3"), o.stderr());
    assertTrue(o.stderr().contains("did you mean sparkrl.sampling.group-size"), o.stderr());
  }

  @Test
  void missingCorpusPathExitsTwoNamingThePath(@TempDir Path tmp) {
    String missing = tmp.resolve("no-such-corpus.jsonl").toString();
    Outcome o = run("reinforce", "corpus.train=\"" + missing + "\"", "corpus.eval=\"\"",
        "run.dir=\"" + tmp.resolve("run") + "\"");
    assertEquals(2, o.code(), o.stderr());
    assertTrue(o.stderr().startsWith("input error: corpus path " + missing), o.stderr());
    assertFalse(Files.exists(tmp.resolve("run").resolve("_SUCCESS")));
  }

  @Test
  void shippedConfigurationsAreValid() {
    JobConfig local = JobConfig.load(null, List.of());
    assertEquals(128, local.trainer().policy().hiddenSize());
    assertEquals(2, local.trainer().reward().functions().size());
    JobConfig cluster = JobConfig.load("../conf/cluster.conf", List.of());
    assertEquals(256, cluster.job().run().promptsPerStep());
    assertTrue(cluster.job().corpus().train().startsWith("hdfs://"));
  }

  /**
   * The path of {@code --driver-java-options} and {@code JAVA_OPTS}: a mistyped key given as a JVM
   * system property is refused like any other, and does not make the same typo pass as an argument.
   */
  @Test
  void mistypedSystemPropertyExitsTwoNamingTheKey() {
    System.setProperty("sparkrl.run.stpes", "5");
    try {
      Outcome property = run("reinforce");
      assertEquals(Main.BAD_CONFIGURATION, property.code(), property.stderr());
      assertTrue(property.stderr().startsWith("configuration error: sparkrl.run.stpes"),
          property.stderr());
      assertTrue(property.stderr().contains("system properties"), property.stderr());
      assertTrue(property.stderr().contains("did you mean sparkrl.run.steps"), property.stderr());
      Outcome argument = run("reinforce", "run.stpes=5");
      assertEquals(Main.BAD_CONFIGURATION, argument.code(), argument.stderr());
      assertTrue(argument.stderr().contains("sparkrl.run.stpes"), argument.stderr());
    } finally {
      System.clearProperty("sparkrl.run.stpes");
    }
  }

  @Test
  void propertiesOutsideTheNamespaceAreNotSettings() {
    System.setProperty("sparkrl-test.fault.pause", "between-steps");
    try {
      assertEquals(5, JobConfig.load(null, List.of("run.steps=5")).job().run().steps());
    } finally {
      System.clearProperty("sparkrl-test.fault.pause");
    }
  }

  @Test
  void precedenceIsPropertiesThenArgumentsThenFileThenReference() {
    System.setProperty("sparkrl.run.seed", "77");
    try {
      JobConfig c = JobConfig.load(null, List.of("run.seed=5", "run.steps=9"));
      assertEquals(77, c.job().run().seed());
      assertEquals(9, c.job().run().steps());
      assertEquals(16, c.job().run().promptsPerStep()); // conf/local.conf
      assertEquals(0.9, c.trainer().optimizer().beta1()); // reference.conf
    } finally {
      System.clearProperty("sparkrl.run.seed");
    }
  }
}
