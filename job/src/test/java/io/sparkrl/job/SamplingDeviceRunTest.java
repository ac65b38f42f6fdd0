package io.sparkrl.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkrl.job.config.JobConfig;
import io.sparkrl.job.driver.ReinforceJob;
import io.sparkrl.job.output.RunDirectory;
import io.sparkrl.policy.ParamsDigest;
import io.sparkrl.policy.PolicySnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * sampling.device = network on local[2] (the CPU backend, so the network's ops run on the CPU):
 * the run trains and ends finite, and samples the same completions as the CPU kernel, every one
 * logged, so it ends with the same parameters.
 */
class SamplingDeviceRunTest {
  static final int STEPS = 4;
  static final int PROMPTS = 4;
  static final int G = 4;
  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path tmp;
  static JavaSparkContext sc;
  static List<String> corpus;

  @BeforeAll
  static void start() throws Exception {
    corpus = TestCorpus.write(tmp.resolve("corpus"), 9, 5);
    sc = LocalSpark.start("sampling-device-test");
  }

  @AfterAll
  static void stop() {
    sc.stop();
  }

  static PolicySnapshot train(Path dir, String device) throws Exception {
    JobConfig c = JobConfig.load(null, List.of("corpus.train=\"" + corpus.get(0) + "\"",
        "corpus.eval=\"" + corpus.get(1) + "\"", "eval.every=2", "run.partitions=2",
        "run.prompts-per-step=" + PROMPTS, "run.dir=\"" + dir + "\"", "run.steps=" + STEPS,
        "policy.hidden-size=16", "policy.embedding-size=8", "policy.layers=2",
        "sampling.group-size=" + G, "sampling.max-new-tokens=8", "sampling.temperature=1.3",
        "sampling.device=" + device, "advantage.estimator=rloo", "optimizer.learning-rate=0.01",
        "monitor.completions-every=1", "monitor.completions-prompts=1000", "monitor.report=false"));
    try (RunDirectory out = new RunDirectory(dir.toString(), new Configuration())) {
      ReinforceJob job = ReinforceJob.start(sc, c, out);
      job.run(out);
      job.close();
      return job.policy();
    }
  }

  @Test
  void theNetworkPathTrainsLikeTheKernel() throws Exception {
    Path kernelDir = tmp.resolve("cpu-kernel");
    Path networkDir = tmp.resolve("network");
    PolicySnapshot kernel = train(kernelDir, "cpu-kernel");
    PolicySnapshot network = train(networkDir, "network");

    assertEquals(STEPS, network.step());
    for (float p : network.parameters()) {
      assertTrue(Float.isFinite(p), "a non-finite parameter");
    }
    String sha = JSON.readTree(networkDir.resolve("summary.json").toFile()).get("params_sha256").asText();
    assertEquals(ParamsDigest.sha256(network.parameters()), sha);

    List<String> kernelCompletions = Files.readAllLines(kernelDir.resolve("completions.jsonl"));
    List<String> networkCompletions = Files.readAllLines(networkDir.resolve("completions.jsonl"));
    assertEquals(STEPS * PROMPTS * G, networkCompletions.size());
    for (int i = 0; i < networkCompletions.size(); i++) {
      JsonNode a = JSON.readTree(kernelCompletions.get(i));
      JsonNode b = JSON.readTree(networkCompletions.get(i));
      assertEquals(a.get("completion"), b.get("completion"), "line " + i);
      assertEquals(a.get("prompt_id"), b.get("prompt_id"), "line " + i);
    }
    // same completions, and gradients from the same DL4J pass: the same parameters, bit for bit
    assertEquals(ParamsDigest.sha256(kernel.parameters()), sha);
  }
}
