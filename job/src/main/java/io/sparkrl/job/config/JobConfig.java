package io.sparkrl.job.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import io.sparkrl.settings.KnownKeys;
import io.sparkrl.settings.SettingsException;
import io.sparkrl.step.TrainerSettings;
import java.io.File;
import java.util.List;

/**
 * The run's configuration, from lowest to highest precedence: reference.conf (every default),
 * the config file (conf/local.conf embedded in the jar when none is given), {@code key=value}
 * arguments, {@code -Dkey=value} system properties. Validated completely before Spark starts.
 */
public final class JobConfig {
  public static final String ROOT = "sparkrl";
  /** The embedded default configuration: a copy of conf/local.conf. */
  public static final String EMBEDDED = "local.conf";

  private final Config config;
  private final TrainerSettings trainer;
  private final JobSettings job;
  private final String source;

  private JobConfig(Config config, String source) {
    this.config = config;
    this.source = source;
    KnownKeys.check(config, reference(), ROOT);
    this.trainer = TrainerSettings.from(config);
    this.job = JobSettings.from(config);
  }

  /**
   * @param file a HOCON file, or null for the embedded conf/local.conf
   * @param overrides {@code key=value} strings (HOCON values)
   * @throws SettingsException for any unknown key, wrong type or out-of-range value
   */
  public static JobConfig load(String file, List<String> overrides) {
    Config base;
    String source;
    if (file == null) {
      base = ConfigFactory.parseResources(JobConfig.class.getClassLoader(), EMBEDDED,
          ConfigParseOptions.defaults().setAllowMissing(false));
      source = "embedded conf/local.conf";
    } else {
      File f = new File(file);
      if (!f.isFile()) {
        throw new SettingsException("--config", file, "no such configuration file");
      }
      try {
        base = ConfigFactory.parseFile(f, ConfigParseOptions.defaults().setAllowMissing(false));
      } catch (ConfigException e) {
        throw new SettingsException("--config", e.getMessage(), e);
      }
      source = f.getPath();
    }
    Config args = ConfigFactory.empty();
    for (String o : overrides) {
      int eq = o.indexOf('=');
      if (eq <= 0) {
        throw new SettingsException(o, o, "an override must look like key=value");
      }
      String key = o.substring(0, eq).trim();
      String path = key.startsWith(ROOT + ".") ? key : ROOT + "." + key;
      try {
        args = ConfigFactory.parseString(path + " = " + o.substring(eq + 1),
            ConfigParseOptions.defaults().setOriginDescription("command-line argument " + o))
            .withFallback(args);
      } catch (ConfigException e) {
        throw new SettingsException(path, o.substring(eq + 1), "cannot be parsed: " + e.getMessage());
      }
    }
    Config merged;
    ConfigFactory.invalidateCaches(); // system properties are read now, not when first cached
    try {
      merged = ConfigFactory.systemProperties().withOnlyPath(ROOT)
          .withFallback(args).withFallback(base).withFallback(reference())
          .resolve();
    } catch (ConfigException e) {
      throw new SettingsException(ROOT, e.getMessage(), e);
    }
    return new JobConfig(merged, source);
  }

  /**
   * Every reference.conf on the classpath, and nothing else. Not {@code
   * ConfigFactory.defaultReference()}: that one lays the JVM's system properties over the
   * reference, so a mistyped {@code -Dsparkrl.run.stpes=5} would become a "known" key and pass the
   * check (and with it the same typo given as {@code key=value}).
   */
  static Config reference() {
    return ConfigFactory.parseResourcesAnySyntax(JobConfig.class.getClassLoader(), "reference")
        .resolve();
  }

  public TrainerSettings trainer() {
    return trainer;
  }

  public JobSettings job() {
    return job;
  }

  public String source() {
    return source;
  }

  /** The resolved configuration (for settings read outside TrainerSettings and JobSettings). */
  public Config config() {
    return config;
  }

  /** The resolved configuration under the root, as HOCON with comments naming each value's origin. */
  public String render() {
    return config.getConfig(ROOT).atPath(ROOT).root().render(ConfigRenderOptions.defaults()
        .setOriginComments(true).setJson(false));
  }

  /** The resolved configuration without origin comments: for the log. */
  public String renderConcise() {
    return config.getConfig(ROOT).atPath(ROOT).root().render(ConfigRenderOptions.concise()
        .setFormatted(true).setJson(false));
  }
}
