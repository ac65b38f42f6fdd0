package io.sparkrl.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/local-java.sh as a user runs it: a reward class compiled here, in a jar of its own, is
 * found through {@code --jars} (and without it the run stops naming the class), and the run's
 * Spark UI and driver RPC listen on loopback only.
 */
@Tag("slow") // integration-test phase: mvn verify, not mvn test
class LocalRunScriptTest {
  static final Path SCRIPT = Path.of("..", "scripts", "local-java.sh");
  static final String REWARD = "com.example.reward.ConstantReward";

  /** A user's reward: 0.75 for every completion; on its first call it notes where Spark listens. */
  static final String SOURCE = """
      package com.example.reward;

      import java.net.*;
      import java.nio.file.*;
      import java.util.Collections;

      public class ConstantReward implements io.sparkrl.reward.Reward {
        private static volatile boolean probed;

        public double score(String prompt, String completion, String reference) {
          if (!probed) {
            probed = true;
            probe();
          }
          return 0.75;
        }

        private static void probe() {
          StringBuilder out = new StringBuilder();
          out.append("rpc ").append(org.apache.spark.SparkEnv.get().rpcEnv().address().host())
              .append('\\n');
          String ui = org.apache.spark.SparkContext$.MODULE$.getActive().get().uiWebUrl().get();
          int port = Integer.parseInt(ui.substring(ui.lastIndexOf(':') + 1));
          try {
            for (NetworkInterface n : Collections.list(NetworkInterface.getNetworkInterfaces())) {
              for (InetAddress a : Collections.list(n.getInetAddresses())) {
                if (!a.isLoopbackAddress() && a instanceof Inet4Address) {
                  out.append(reachable(a, port) ? "ui-open " : "ui-closed ")
                      .append(a.getHostAddress()).append('\\n');
                }
              }
            }
            out.append(reachable(InetAddress.getLoopbackAddress(), port) ? "ui-loopback-open\\n"
                : "ui-loopback-closed\\n");
            Files.writeString(Path.of(System.getProperty("probe.out")), out.toString());
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }

        private static boolean reachable(InetAddress a, int port) {
          try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(a, port), 2000);
            return true;
          } catch (Exception e) {
            return false;
          }
        }
      }
      """;

  @Test
  void userRewardJarOnTheClasspathAndSparkOnLoopback(@TempDir Path tmp) throws Exception {
    Path jar = rewardJar(tmp);
    Path corpus = tmp.resolve("train.jsonl");
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      lines.append("{\"prompt\":\"How much is ").append(i).append("+1?\",\"answer\":\"")
          .append(i + 1).append("\"}\n");
    }
    Files.writeString(corpus, lines.toString());
    Path probe = tmp.resolve("probe.txt");
    List<String> settings = List.of("corpus.train=\"" + corpus + "\"", "corpus.eval=\"\"",
        "run.dir=\"" + tmp.resolve("run") + "\"", "run.steps=1", "run.prompts-per-step=2",
        "sampling.group-size=2", "sampling.max-new-tokens=4", "policy.hidden-size=8",
        "policy.embedding-size=4", "policy.layers=1", "monitor.report=false",
        "reward.functions=[{name=" + REWARD + ",weight=1}]");

    Run without = run(tmp, probe, settings, List.of());
    assertEquals(2, without.code(), without.output());
    assertTrue(without.output().contains("configuration error: sparkrl.reward.functions"),
        without.output());
    assertTrue(without.output().contains("class not found"), without.output());

    Run with = run(tmp, probe, settings, List.of("--jars", jar.toString()));
    assertEquals(0, with.code(), with.output());
    JsonNode step = new ObjectMapper().readTree(Files.readAllLines(
        tmp.resolve("run/metrics.jsonl")).stream().filter(l -> l.contains("\"reward_mean\""))
        .reduce((a, b) -> b).orElseThrow());
    assertEquals(0.75, step.get("reward_mean").asDouble(), 1e-9, step.toString());

    List<String> seen = Files.readAllLines(probe);
    String rpc = seen.get(0).substring("rpc ".length());
    assertTrue(InetAddress.getByName(rpc).isLoopbackAddress(), "driver RPC on " + seen);
    assertTrue(seen.contains("ui-loopback-open"), seen.toString());
    assertFalse(seen.stream().anyMatch(l -> l.startsWith("ui-open ")), "UI reachable: " + seen);
  }

  record Run(int code, String output) {}

  static Run run(Path tmp, Path probe, List<String> settings, List<String> jars)
      throws IOException, InterruptedException {
    List<String> cmd = new java.util.ArrayList<>(List.of(SCRIPT.toString(), "reinforce"));
    cmd.addAll(jars);
    cmd.addAll(settings);
    Path log = Files.createTempFile(tmp, "run", ".log");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().put("SPARKRL_CLASSPATH", System.getProperty("java.class.path"));
    pb.environment().put("SPARKRL_HEAP", "1g");
    pb.environment().put("JAVA_OPTS", "-Dspark.master=local[2] -Dprobe.out=" + probe);
    pb.environment().remove("SPARK_LOCAL_IP");
    Process p = pb.start();
    if (!p.waitFor(300, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("local-java.sh timed out: " + Files.readString(log));
    }
    return new Run(p.exitValue(), Files.readString(log));
  }

  /** Compiles {@link #SOURCE} against this JVM's classpath and packs it into a jar. */
  static Path rewardJar(Path tmp) throws IOException {
    Path src = tmp.resolve("src/com/example/reward/ConstantReward.java");
    Files.createDirectories(src.getParent());
    Files.writeString(src, SOURCE);
    Path classes = Files.createDirectories(tmp.resolve("classes"));
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    int rc = javac.run(null, null, null, "-d", classes.toString(), "-cp",
        System.getProperty("java.class.path"), src.toString());
    assertEquals(0, rc, "the reward compiles");
    Path jar = tmp.resolve("my-reward.jar");
    String entry = "com/example/reward/ConstantReward.class";
    try (OutputStream out = Files.newOutputStream(jar);
        JarOutputStream j = new JarOutputStream(out)) {
      j.putNextEntry(new JarEntry(entry));
      j.write(Files.readAllBytes(classes.resolve(entry)));
      j.closeEntry();
    }
    return jar;
  }
}
