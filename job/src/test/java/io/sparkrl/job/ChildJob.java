package io.sparkrl.job;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@link Main} in a separate JVM, as a scheduler starts it: same classpath and module flags as the
 * test JVM, local[2] Spark, its output in a log file. Lets a test SIGKILL a run mid-flight.
 */
final class ChildJob {
  final Process process;
  final Path log;

  private ChildJob(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  static ChildJob start(Path log, List<String> systemProperties, List<String> args)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx1g");
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (a.startsWith("--add-opens") || a.startsWith("--add-exports")
          || a.startsWith("--add-modules")) {
        cmd.add(a);
      }
    }
    cmd.add("-Dspark.master=local[2]");
    cmd.add("-Dspark.ui.enabled=false");
    cmd.addAll(systemProperties);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Main.class.getName());
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().put("OMP_NUM_THREADS", "1");
    return new ChildJob(pb.start(), log);
  }

  /** Waits for the exit code (at most {@code seconds}). */
  int waitFor(int seconds) throws Exception {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      kill();
      throw new AssertionError("the child run did not end within " + seconds + " s:\n" + tail());
    }
    return process.exitValue();
  }

  /** SIGKILL: no shutdown hooks, no finally blocks, no flushing. */
  void kill() throws Exception {
    new ProcessBuilder("kill", "-9", Long.toString(process.pid())).start().waitFor();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** Waits until {@code file} exists (a fault point's marker, or a run's output). */
  void awaitFile(Path file, int seconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!Files.exists(file)) {
      if (!process.isAlive()) {
        throw new AssertionError("the child run ended (exit " + process.exitValue()
            + ") before " + file + " appeared:\n" + tail());
      }
      if (System.nanoTime() > deadline) {
        kill();
        throw new AssertionError(file + " did not appear within " + seconds + " s:\n" + tail());
      }
      Thread.sleep(20);
    }
  }

  String tail() throws IOException {
    List<String> lines = Files.readAllLines(log);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }

}
