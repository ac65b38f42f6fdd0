package io.sparkrl.job;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Main knows when its driver runs inside a YARN ApplicationMaster, where it must return instead of
 * calling System.exit(0) (YarnRunTest runs the real thing): the ApplicationMaster sets these two
 * system properties, and client mode, other masters and plain runs do not match.
 */
class YarnClusterDriverTest {
  @Test
  void onlyYarnClusterModeIsTheApplicationMastersDriver() {
    String master = System.getProperty("spark.master");
    String mode = System.getProperty("spark.submit.deployMode");
    try {
      System.setProperty("spark.master", "yarn");
      System.setProperty("spark.submit.deployMode", "cluster");
      assertTrue(Main.inYarnClusterDriver());
      System.setProperty("spark.submit.deployMode", "client");
      assertFalse(Main.inYarnClusterDriver());
      System.setProperty("spark.master", "k8s://https://api:6443");
      System.setProperty("spark.submit.deployMode", "cluster");
      assertFalse(Main.inYarnClusterDriver());
      System.clearProperty("spark.master");
      System.clearProperty("spark.submit.deployMode");
      assertFalse(Main.inYarnClusterDriver());
    } finally {
      restore("spark.master", master);
      restore("spark.submit.deployMode", mode);
    }
  }

  private static void restore(String key, String value) {
    if (value == null) {
      System.clearProperty(key);
    } else {
      System.setProperty(key, value);
    }
  }
}
