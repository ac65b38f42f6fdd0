package io.sparkrl.job.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The conf/ files say "overrides only": every key they set is a setting of reference.conf, and
 * none repeats reference.conf's default (a repeated default hides which values a recipe changes,
 * and keeps the old value when the default moves).
 */
class ShippedConfigurationsTest {
  @ParameterizedTest
  @ValueSource(strings = {"local.conf", "cluster.conf", "local-cluster.conf", "programs.conf",
      "gpu-cluster.conf", "arithmetic.conf", "sorting.conf"})
  void confFilesHoldOverridesOnly(String name) {
    File file = new File("../conf", name);
    assertTrue(file.isFile(), file.getAbsolutePath());
    JobConfig.load(file.getPath(), List.of()); // valid: known keys, types and ranges
    Config conf = ConfigFactory.parseFile(file).resolve();
    Config reference = JobConfig.reference();
    List<String> repeated = new ArrayList<>();
    for (Map.Entry<String, ConfigValue> e : conf.entrySet()) {
      String key = e.getKey();
      if (reference.hasPath(key) && same(e.getValue().unwrapped(),
          reference.getValue(key).unwrapped())) {
        repeated.add(key + " = " + e.getValue().render() + " (line " + e.getValue().origin()
            .lineNumber() + ")");
      }
    }
    assertEquals(List.of(), repeated, name + " repeats reference.conf's defaults");
  }

  static boolean same(Object a, Object b) {
    if (a instanceof Number x && b instanceof Number y) {
      return x.doubleValue() == y.doubleValue();
    }
    return a.equals(b);
  }
}
