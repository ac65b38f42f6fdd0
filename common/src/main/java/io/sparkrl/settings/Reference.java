package io.sparkrl.settings;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/**
 * reference.conf alone: every default, without a configuration file, arguments or system
 * properties. For the few places that build settings outside a run's configuration (tests,
 * benchmarks, greedy evaluation), so that their defaults still live in reference.conf only.
 */
public final class Reference {
  private static final Config CONFIG = ConfigFactory.parseResourcesAnySyntax(
      Reference.class.getClassLoader(), "reference").resolve();

  private Reference() {}

  public static Config config() {
    return CONFIG;
  }
}
