package io.sparkrl.job.output;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Named places in the run loop where the kill-and-resume tests stop a run with SIGKILL. Inert
 * unless the JVM was started with {@code -Dsparkrl-test.fault.pause=<name>} and
 * {@code -Dsparkrl-test.fault.marker=<local file>}: on reaching that point the JVM creates the marker
 * file and waits there, so the test knows the kill lands exactly at the point, not near it. The
 * properties live outside the {@code sparkrl} namespace, where every key must be a setting of
 * reference.conf.
 *
 * <p>Points: {@code between-steps} (after a step's update, log line and any checkpoint, before the
 * next step starts) and {@code checkpoint-write} (inside a checkpoint write, some of its files
 * written, metadata not yet).
 */
public final class FaultPoint {
  private static final String PAUSE = System.getProperty("sparkrl-test.fault.pause", "");
  private static final String MARKER = System.getProperty("sparkrl-test.fault.marker", "");
  private static final long AFTER_STEP = Long.getLong("sparkrl-test.fault.after-step", 0);

  private FaultPoint() {}

  /** Waits forever when {@code name} is the configured pause point and {@code step} has come. */
  public static void reach(String name, long step) {
    if (PAUSE.isEmpty() || !PAUSE.equals(name) || step < AFTER_STEP) {
      return;
    }
    try {
      Files.writeString(Path.of(MARKER), name + " " + step);
      while (true) {
        Thread.sleep(60_000);
      }
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException("fault point " + name + " could not pause", e);
    }
  }
}
