package io.sparkrl.gradient;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Whether this JVM's OpenBLAS runs below its best kernels. OpenBLAS 0.3.19, the version ND4J
 * 1.0.0-M2.1 ships, chooses its kernels when the library loads, from the CPU's family, and it
 * predates AVX-512 on AMD: on a Zen 4 it picks its AVX2 kernels ("Zen"), and a Zen 5 is a family
 * it does not know, so it gets its SSE3 ones ("Barcelona"). On a Zen 5 core those reach 36 and
 * 94 GFLOP/s in a 1024-cube sgemm (the AVX2 ones when forced), against 180 for its AVX-512
 * kernels (SkylakeX). The environment variable {@code OPENBLAS_CORETYPE} overrides the choice,
 * and only before the library loads, so a JVM cannot fix it for itself: the launch scripts set
 * it where the CPU has AVX-512 ({@code scripts/java-flags.sh}), and a cluster's executors need it
 * in their environment ({@code spark.executorEnv.OPENBLAS_CORETYPE}). This class tells a JVM
 * that lacks it.
 */
public final class OpenBlasCore {
  /** The variable OpenBLAS reads at load time to choose its kernels. */
  public static final String VARIABLE = "OPENBLAS_CORETYPE";
  /** The AVX-512 kernel set of OpenBLAS 0.3.19 (what it picks itself on Intel's AVX-512 CPUs). */
  public static final String AVX512_CORE = "SkylakeX";
  /** The instruction-set extensions OpenBLAS's SkylakeX kernels use (its own check). */
  static final Set<String> AVX512_FLAGS =
      Set.of("avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl");

  private OpenBlasCore() {}

  /**
   * What to do, when this JVM's OpenBLAS runs AVX2 kernels on an AVX-512 CPU: empty when the CPU
   * is not an AMD one with AVX-512, when {@code OPENBLAS_CORETYPE} is set, or when
   * {@code /proc/cpuinfo} cannot be read (not Linux).
   */
  public static Optional<String> advice() {
    String cpuinfo;
    try {
      cpuinfo = Files.readString(Path.of("/proc/cpuinfo"));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
    return advice(cpuinfo, System.getenv());
  }

  /** {@link #advice()} for the given {@code /proc/cpuinfo} text and environment. */
  static Optional<String> advice(String cpuinfo, Map<String, String> environment) {
    if (environment.containsKey(VARIABLE)) {
      return Optional.empty(); // a choice made (even a blank one, which OpenBLAS reads as a name)
    }
    String vendor = field(cpuinfo, "vendor_id");
    Set<String> flags = Arrays.stream(field(cpuinfo, "flags").split("\\s+"))
        .collect(Collectors.toSet());
    if (!vendor.equals("AuthenticAMD") || !flags.containsAll(AVX512_FLAGS)) {
      return Optional.empty();
    }
    return Optional.of("this AMD CPU has AVX-512 but " + VARIABLE + " is not set, so ND4J's"
        + " OpenBLAS (0.3.19) runs its AVX2 kernels (Zen 4) or its SSE3 ones (Zen 5): a half to a"
        + " fifth of the matrix-product throughput of its AVX-512 ones. Set " + VARIABLE + "="
        + AVX512_CORE + " in the environment of the JVMs that train (the project's scripts do on"
        + " such a CPU; executors of a cluster: --conf spark.executorEnv." + VARIABLE + "="
        + AVX512_CORE + " where every worker has AVX-512)");
  }

  /** The value of the first "name : value" line of cpuinfo, or "" when there is none. */
  private static String field(String cpuinfo, String name) {
    for (String line : cpuinfo.split("\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equals(name)) {
        return line.substring(colon + 1).trim();
      }
    }
    return "";
  }
}
