package io.sparkrl.job.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.apache.spark.resource.ResourceInformation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** scripts/gpu-discovery.sh, with a stand-in nvidia-smi: Spark parses what it prints. */
class GpuDiscoveryScriptTest {
  static final Path SCRIPT = Path.of("..", "scripts", "gpu-discovery.sh");

  @TempDir Path tmp;

  Process run(String smi) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(SCRIPT.toString()).redirectErrorStream(true);
    pb.environment().put("NVIDIA_SMI", smi);
    return pb.start();
  }

  @Test
  void nvidiaSmiIndicesBecomeSparkGpuAddresses() throws Exception {
    Path smi = tmp.resolve("nvidia-smi");
    Files.writeString(smi, """
        #!/bin/sh
        [ "$*" = "--query-gpu=index --format=csv,noheader" ] || { echo "bad args: $*" >&2; exit 2; }
        printf '0\\n1\\n3\\n'
        """);
    Files.setPosixFilePermissions(smi, PosixFilePermissions.fromString("rwxr-xr-x"));
    Process p = run(smi.toString());
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertEquals(0, p.waitFor(), out);
    ResourceInformation gpu = ResourceInformation.parseJson(out);
    assertEquals("gpu", gpu.name());
    assertArrayEquals(new String[] {"0", "1", "3"}, gpu.addresses());
  }

  @Test
  void aNodeWithoutNvidiaSmiFailsSayingSo() throws Exception {
    Process p = run(tmp.resolve("no-such-nvidia-smi").toString());
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertNotEquals(0, p.waitFor());
    assertEquals(true, out.contains("not found"), out);
  }
}
