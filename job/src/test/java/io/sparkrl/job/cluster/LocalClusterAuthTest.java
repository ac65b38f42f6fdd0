package io.sparkrl.job.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.Reader;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SecurityManager;
import org.apache.spark.SparkConf;
import org.apache.spark.rpc.RpcAddress;
import org.apache.spark.rpc.RpcEnv;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/local-cluster.sh runs its master and worker with Spark's authentication and encrypted
 * RPC, under a secret generated for the cluster: the worker registers with it, a client with the
 * secret reaches the master, and one without it is refused.
 */
@Tag("slow") // integration-test phase: mvn verify, not mvn test
class LocalClusterAuthTest {
  static final Path SCRIPT = Path.of("..", "scripts", "local-cluster.sh");

  @Test
  void applicationWithoutTheSecretIsRefused(@TempDir Path tmp) throws Exception {
    Path state = tmp.resolve("state");
    Map<String, String> env = Map.of("SPARK_HOME", sparkHome(tmp).toString(),
        "SPARKRL_CLUSTER_DIR", state.toString(), "SPARKRL_WORKERS", "1",
        "SPARKRL_MASTER_PORT", String.valueOf(freePort()),
        "SPARKRL_MASTER_UI_PORT", String.valueOf(freePort()),
        "SPARKRL_WORKER_UI_PORT", String.valueOf(freePort()));
    try {
      String started = script("start", env, tmp.resolve("start.log"));
      assertTrue(started.contains("worker-1"), started); // the worker registered, with the secret
      Path auth = state.resolve("spark-auth.conf");
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(auth)));
      Properties secured = new Properties();
      try (Reader r = Files.newBufferedReader(auth)) {
        secured.load(r);
      }
      assertTrue(secured.getProperty("spark.authenticate.secret").matches("[0-9a-f]{64}"),
          "a 256-bit secret");
      assertEquals("true", secured.getProperty("spark.network.crypto.enabled"));
      String url = Files.readString(state.resolve("master-url")).trim();
      int port = Integer.parseInt(url.substring(url.lastIndexOf(':') + 1));

      SparkConf with = probeConf();
      secured.stringPropertyNames().forEach(k -> with.set(k, secured.getProperty(k)));
      probe(with, port); // reaches the master's endpoint

      Exception refused = assertThrows(Exception.class, () -> probe(probeConf(), port));
      SparkConf wrong = probeConf().set("spark.authenticate", "true")
          .set("spark.authenticate.secret", "0".repeat(64))
          .set("spark.network.crypto.enabled", "true");
      assertThrows(Exception.class, () -> probe(wrong, port), "a wrong secret is refused too");
      assertTrue(refused.toString().length() > 0);
    } finally {
      script("stop", env, tmp.resolve("stop.log"));
    }
  }

  static SparkConf probeConf() {
    return new SparkConf(false).set("spark.rpc.lookupTimeout", "20s")
        .set("spark.rpc.askTimeout", "20s");
  }

  /** Looks up the master's RPC endpoint as an application's client does; throws when refused. */
  static void probe(SparkConf conf, int port) {
    SecurityManager security = new SecurityManager(conf, scala.Option.empty(),
        org.apache.spark.internal.config.package$.MODULE$.AUTH_SECRET_FILE());
    RpcEnv rpc = RpcEnv.create("auth-probe", "127.0.0.1", 0, conf, security, true);
    try {
      rpc.setupEndpointRef(new RpcAddress("127.0.0.1", port), "Master");
    } finally {
      rpc.shutdown();
    }
  }

  /**
   * A stand-in SPARK_HOME: jars/ links to this JVM's jars (Spark, Hadoop, logging), without
   * sparkrl's own, as scripts/spark-home.sh leaves them out: the job jar's log4j2.properties would
   * silence the INFO lines the script waits for (under Failsafe the job's classes come as a jar).
   */
  static Path sparkHome(Path tmp) throws IOException {
    Path jars = Files.createDirectories(tmp.resolve("spark-home/jars"));
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path jar = Path.of(entry);
      if (entry.endsWith(".jar") && !jar.getFileName().toString().startsWith("sparkrl-")
          && !Files.exists(jars.resolve(jar.getFileName()))) {
        Files.createSymbolicLink(jars.resolve(jar.getFileName()), jar.toAbsolutePath());
      }
    }
    return jars.getParent();
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static String script(String action, Map<String, String> env, Path log) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(SCRIPT.toString(), action));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().putAll(env);
    Process p = pb.start();
    if (!p.waitFor(180, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("local-cluster.sh " + action + " timed out: "
          + Files.readString(log));
    }
    String out = Files.readString(log);
    if (action.equals("start")) {
      assertEquals(0, p.exitValue(), out);
    }
    return out;
  }
}
