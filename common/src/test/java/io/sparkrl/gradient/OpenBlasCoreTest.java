package io.sparkrl.gradient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OpenBlasCoreTest {
  private static final String AVX512 = "fpu sse2 avx avx2 fma avx512f avx512dq avx512cd avx512bw"
      + " avx512vl avx512_bf16";

  private static String cpuinfo(String vendor, String flags) {
    return "processor\t: 0\nvendor_id\t: " + vendor + "\ncpu family\t: 26\nflags\t\t: " + flags
        + "\n\nprocessor\t: 1\nvendor_id\t: " + vendor + "\nflags\t\t: " + flags + "\n";
  }

  @Test
  void advisesOnAmdWithAvx512AndNoCoreType() {
    Optional<String> advice = OpenBlasCore.advice(cpuinfo("AuthenticAMD", AVX512), Map.of());
    assertTrue(advice.isPresent());
    assertTrue(advice.get().contains("OPENBLAS_CORETYPE=SkylakeX"), advice.get());
    assertTrue(advice.get().contains("spark.executorEnv.OPENBLAS_CORETYPE"), advice.get());
  }

  @Test
  void silentWhenTheVariableIsSet() {
    assertEquals(Optional.empty(), OpenBlasCore.advice(cpuinfo("AuthenticAMD", AVX512),
        Map.of("OPENBLAS_CORETYPE", "Haswell")));
    // any value is a choice: OpenBLAS does not detect when the variable exists
    assertEquals(Optional.empty(), OpenBlasCore.advice(cpuinfo("AuthenticAMD", AVX512),
        Map.of("OPENBLAS_CORETYPE", "")));
  }

  @Test
  void silentOnIntelWhichOpenBlasDetectsItself() {
    assertEquals(Optional.empty(), OpenBlasCore.advice(cpuinfo("GenuineIntel", AVX512), Map.of()));
  }

  @Test
  void silentWithoutEveryAvx512ExtensionTheKernelsUse() {
    assertEquals(Optional.empty(), OpenBlasCore.advice(cpuinfo("AuthenticAMD",
        "fpu sse2 avx avx2 fma"), Map.of()));
    // avx512f alone (no vl, as on Xeon Phi) is not enough for the SkylakeX kernels
    assertEquals(Optional.empty(), OpenBlasCore.advice(cpuinfo("AuthenticAMD",
        "avx2 avx512f avx512cd avx512bw avx512dq"), Map.of()));
    // a flag must match whole: avx512vl_x is not avx512vl
    assertEquals(Optional.empty(), OpenBlasCore.advice(cpuinfo("AuthenticAMD",
        "avx2 avx512f avx512cd avx512bw avx512dq avx512vl_x"), Map.of()));
  }

  @Test
  void silentWhenCpuinfoSaysNothing() {
    assertEquals(Optional.empty(), OpenBlasCore.advice("", Map.of()));
  }
}
