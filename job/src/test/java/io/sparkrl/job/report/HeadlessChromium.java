package io.sparkrl.job.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Debian's Chromium, headless, isolated (fresh profile, no network services), for page checks. */
public final class HeadlessChromium {
  public static final Path BINARY = Path.of("/usr/bin/chromium");

  private HeadlessChromium() {}

  public static boolean installed() {
    return Files.isExecutable(BINARY);
  }

  /** The DOM after the page's load event ran its scripts. */
  public static String dumpDom(Path page, Path scratch) throws IOException, InterruptedException {
    return run(scratch, "--dump-dom", page.toUri().toString());
  }

  /** A screenshot of the page, as a PNG file. */
  public static Path screenshot(Path page, Path scratch, int width, int height)
      throws IOException, InterruptedException {
    Path png = scratch.resolve("screenshot.png");
    run(scratch, "--screenshot=" + png, "--window-size=" + width + "," + height,
        "--hide-scrollbars", page.toUri().toString());
    return png;
  }

  private static String run(Path scratch, String... args) throws IOException, InterruptedException {
    Path profile = Files.createTempDirectory(scratch, "chromium-profile");
    List<String> command = new ArrayList<>(List.of(BINARY.toString(), "--headless", "--no-sandbox",
        "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
        "--user-data-dir=" + profile));
    command.addAll(List.of(args));
    Path stdout = scratch.resolve("chromium-" + System.nanoTime() + ".out");
    Process p = new ProcessBuilder(command).redirectOutput(stdout.toFile())
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("chromium did not finish in 120 s: " + command);
    }
    if (p.exitValue() != 0) {
      throw new IOException("chromium exited with " + p.exitValue() + ": " + command);
    }
    return Files.readString(stdout, StandardCharsets.UTF_8);
  }
}
