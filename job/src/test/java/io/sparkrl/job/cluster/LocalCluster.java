package io.sparkrl.job.cluster;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import io.sparkrl.job.driver.SparkDefaults;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * A {@code local-cluster[2,1,1024]} Spark for tests: an in-process standalone master and worker
 * that launch two executors as separate JVMs, the way Spark's own test suite runs. What it needs:
 * {@code spark.testing} so executors inherit this JVM's classpath, a Spark home that
 * exists, {@code SPARK_SCALA_VERSION} for the executor launcher, and the application's classes in
 * {@code spark.jars} (Java lambdas do not deserialize on executors without it). The jar is built
 * here from the compiled classes, so the test runs before {@code package} on a clean clone.
 */
public final class LocalCluster {
  public static final int EXECUTORS = 2;

  /**
   * The policy architectures every cluster test runs, {@link #policy} giving each one's keys; a
   * {@code @MethodSource("io.sparkrl.job.cluster.LocalCluster#architectures")}.
   */
  public static List<String> architectures() {
    return List.of("lstm", "transformer");
  }

  private LocalCluster() {}

  /** Starts the cluster and waits until both executors have registered. */
  public static JavaSparkContext start(String name, Path work) throws IOException, InterruptedException {
    return start(name, work, java.util.Map.of());
  }

  /** The same, with {@code extra} Spark settings (e.g. the workers' GPU resources). */
  public static JavaSparkContext start(String name, Path work, java.util.Map<String, String> extra)
      throws IOException, InterruptedException {
    Path home = Files.createDirectories(work.resolve("spark-home"));
    System.setProperty("spark.testing", "1");
    System.setProperty("spark.test.home", home.toString());
    // the job's own defaults (SparkDefaults), as Main applies them: the executors load the
    // Vector API module as a real cluster's would
    SparkConf conf = SparkDefaults.apply(new SparkConf())
        .setMaster("local-cluster[" + EXECUTORS + ",1,1024]")
        .setAppName(name).set("spark.ui.enabled", "false")
        .set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1")
        .set("spark.executorEnv.SPARK_SCALA_VERSION", "2.12")
        .set("spark.executorEnv.SPARK_HOME", home.toString())
        .set("spark.executorEnv.OMP_NUM_THREADS", "1")
        .set("spark.executor.memory", "768m")
        .set("spark.task.maxFailures", "4")
        .set("spark.local.dir", Files.createDirectories(work.resolve("spark-local")).toString())
        .setJars(applicationJars(work).toArray(new String[0]));
    extra.forEach(conf::set);
    JavaSparkContext sc = new JavaSparkContext(conf);
    try {
      awaitExecutors(sc);
    } catch (IllegalStateException e) {
      sc.stop();
      throw e;
    }
    return sc;
  }

  /**
   * Waits until all {@link #EXECUTORS} executors are registered: at start, and after a test killed
   * one (the worker starts a replacement within seconds).
   */
  public static void awaitExecutors(JavaSparkContext sc) throws InterruptedException {
    long deadline = System.nanoTime() + 120_000_000_000L;
    // getExecutorInfos includes the driver
    while (sc.sc().statusTracker().getExecutorInfos().length < EXECUTORS + 1) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("local-cluster executors did not register within 120 s");
      }
      Thread.sleep(100);
    }
  }

  /**
   * The directories of an application's executors (their stdout and stderr files): local-cluster
   * workers keep them under {@code java.io.tmpdir/worker-UUID/APP-ID/EXECUTOR-ID}, deleted when
   * this JVM exits.
   */
  public static List<Path> executorDirectories(String applicationId) throws IOException {
    List<Path> dirs = new ArrayList<>();
    try (Stream<Path> workers = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      for (Path w : workers.filter(p -> p.getFileName().toString().startsWith("worker-")).toList()) {
        Path app = w.resolve(applicationId);
        if (Files.isDirectory(app)) {
          try (Stream<Path> executors = Files.list(app)) {
            dirs.addAll(executors.filter(Files::isDirectory).toList());
          }
        }
      }
    }
    return dirs;
  }

  /**
   * The policy settings of the cluster tests: a small LSTM, or a tiny decoder-only transformer
   * (Llama family: RMSNorm, rotary positions, grouped-query attention, SwiGLU), each a few thousand
   * parameters, so that a step on two executors takes about a second.
   */
  public static List<String> policy(String architecture) {
    return switch (architecture) {
      case "lstm" -> List.of("policy.architecture=lstm",
          "policy.hidden-size=16", "policy.embedding-size=8", "policy.layers=1");
      case "transformer" -> List.of("policy.architecture=transformer",
          "policy.transformer.family=llama", "policy.transformer.layers=1",
          "policy.transformer.model-width=32", "policy.transformer.heads=4",
          "policy.transformer.kv-heads=2", "policy.transformer.mlp-width=64",
          "policy.transformer.max-positions=64");
      default -> throw new IllegalArgumentException("no cluster-test policy " + architecture);
    };
  }

  public static void stop(JavaSparkContext sc) {
    sc.stop();
    System.clearProperty("spark.testing");
    System.clearProperty("spark.test.home");
  }

  /**
   * The job's, the core's and the tests' classes as jars: a jar as it is on the classpath, a
   * classes folder packed into one.
   */
  static List<String> applicationJars(Path work) throws IOException {
    List<String> jars = new ArrayList<>();
    int n = 0;
    for (Class<?> c : new Class<?>[] {io.sparkrl.job.Main.class,
        io.sparkrl.policy.ParamsDigest.class, LocalCluster.class}) {
      Path location;
      try {
        location = Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
      } catch (URISyntaxException e) {
        throw new IOException("cannot locate the classes of " + c.getName(), e);
      }
      if (Files.isDirectory(location)) {
        Path jar = work.resolve("app-" + (n++) + ".jar");
        pack(location, jar);
        jars.add(jar.toString());
      } else {
        jars.add(location.toString());
      }
    }
    return jars;
  }

  private static void pack(Path classes, Path jar) throws IOException {
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
        Stream<Path> files = Files.walk(classes)) {
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
        try (var in = Files.newInputStream(f)) {
          in.transferTo((OutputStream) out);
        }
        out.closeEntry();
      }
    }
  }
}
