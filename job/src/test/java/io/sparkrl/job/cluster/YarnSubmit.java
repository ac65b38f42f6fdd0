package io.sparkrl.job.cluster;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code spark-submit --master yarn} in a child JVM, started the way {@code bin/spark-submit}
 * starts it (Spark's jars and the Hadoop configuration folder on the classpath, {@code
 * HADOOP_CONF_DIR} set), with the settings of the README's YARN section. Two substitutions keep
 * the test independent of {@code mvn package}: the job's classes packed into jars stand for the
 * shaded job jar, its libraries (DL4J, ND4J, JavaCPP, Typesafe Config) follow as {@code local:}
 * jars, and {@code spark.yarn.jars} names a local folder of the Spark and Hadoop jars the build
 * resolved, as a cluster whose nodes have Spark installed would.
 */
final class YarnSubmit {
  /** What a cluster's Spark does not bring: they travel with the application (in the job jar). */
  private static final List<String> APPLICATION_LIBRARIES = List.of("/org/deeplearning4j/",
      "/org/nd4j/", "/org/datavec/", "/org/bytedeco/", "/com/typesafe/config/", "/io/sparkrl/");

  private YarnSubmit() {}

  /** The arguments after {@code spark-submit}: everything but the application's own. */
  static List<String> submitArguments(String deployMode, Path sparkJars, List<String> appJars,
      List<String> libraries) {
    String opens = String.join(" ", javaFlags());
    String javaHome = System.getProperty("java.home");
    List<String> jars = new ArrayList<>(appJars.subList(1, appJars.size()));
    libraries.forEach(l -> jars.add("local:" + l));
    return new ArrayList<>(List.of("--master", "yarn", "--deploy-mode", deployMode,
        "--class", "io.sparkrl.job.Main",
        "--num-executors", "1", "--executor-cores", "1", "--executor-memory", "768m",
        "--driver-memory", "768m",
        "--jars", String.join(",", jars),
        "--conf", "spark.yarn.jars=local:" + sparkJars + "/*",
        "--conf", "spark.yarn.am.memory=512m",
        "--conf", "spark.yarn.am.memoryOverhead=256m",
        "--conf", "spark.driver.memoryOverhead=256m",
        "--conf", "spark.executor.memoryOverhead=256m",
        "--conf", "spark.yarn.maxAppAttempts=1",
        "--conf", "spark.executor.extraJavaOptions=" + opens,
        "--conf", "spark.yarn.am.extraJavaOptions=" + opens,
        "--conf", "spark.driver.extraJavaOptions=" + opens,
        "--conf", "spark.executorEnv.JAVA_HOME=" + javaHome,
        "--conf", "spark.yarn.appMasterEnv.JAVA_HOME=" + javaHome,
        "--conf", "spark.executorEnv.OMP_NUM_THREADS=1",
        "--conf", "spark.yarn.appMasterEnv.OMP_NUM_THREADS=1",
        "--conf", "spark.ui.enabled=false",
        appJars.get(0)));
  }

  /**
   * Runs spark-submit to its end (in cluster mode it waits for the application, as by default)
   * and returns its exit code; its output goes to {@code log}.
   */
  static int run(MiniYarn cluster, Path work, String deployMode, List<String> appArgs, Path log,
      int seconds) throws IOException, InterruptedException {
    List<String> classpath = Files.readAllLines(clusterClasspathFile()).stream()
        .flatMap(l -> List.of(l.split(java.io.File.pathSeparator)).stream())
        .filter(j -> j.endsWith(".jar")).toList();
    Path home = work.resolve("spark-home");
    Path sparkJars = home.resolve("jars");
    List<String> libraries = new ArrayList<>();
    if (!Files.isDirectory(sparkJars)) {
      Files.createDirectories(sparkJars);
    }
    for (String jar : classpath) {
      if (Path.of(jar).getFileName().toString().startsWith("sparkrl-")) {
        // the project's own jars (the reactor's packaged modules, under Failsafe) are application
        // jars (LocalCluster.applicationJars): on Spark's classpath they would load without the
        // libraries that travel with the application, and fail on their first use of one
        continue;
      }
      if (APPLICATION_LIBRARIES.stream().anyMatch(jar::contains)) {
        libraries.add(jar);
      } else {
        Path link = sparkJars.resolve(Path.of(jar).getFileName());
        if (!Files.exists(link)) {
          Files.createSymbolicLink(link, Path.of(jar));
        }
      }
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx768m");
    cmd.addAll(javaFlags());
    cmd.add("-cp");
    cmd.add(cluster.confDir + java.io.File.pathSeparator + sparkJars + "/*");
    cmd.add("org.apache.spark.deploy.SparkSubmit");
    cmd.addAll(submitArguments(deployMode, sparkJars, LocalCluster.applicationJars(work),
        libraries));
    cmd.addAll(appArgs);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().put("HADOOP_CONF_DIR", cluster.confDir.toString());
    pb.environment().put("YARN_CONF_DIR", cluster.confDir.toString());
    pb.environment().put("SPARK_HOME", home.toString());
    pb.environment().put("SPARK_SCALA_VERSION", "2.12");
    pb.environment().put("OMP_NUM_THREADS", "1");
    Process p = pb.start();
    if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor();
      throw new AssertionError("spark-submit --deploy-mode " + deployMode + " did not end within "
          + seconds + " s:\n" + tail(log));
    }
    return p.exitValue();
  }

  /** The jars of the build's compile and provided scopes (written by the job pom). */
  static Path clusterClasspathFile() {
    Path file = Path.of("target", "cluster-classpath.txt");
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException(file.toAbsolutePath() + " is missing: the job module's "
          + "generate-test-resources phase writes it (run the test through Maven)");
    }
    return file;
  }

  /**
   * The --add-opens and --add-modules flags of this JVM (Surefire's: the job jar manifest's list
   * and the Vector API module, as scripts/java-flags.sh).
   */
  static List<String> javaFlags() {
    return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(a -> a.startsWith("--add-opens") || a.startsWith("--add-exports")
            || a.startsWith("--add-modules")).toList();
  }

  static String tail(Path log) throws IOException {
    List<String> lines = Files.readAllLines(log);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
  }
}
