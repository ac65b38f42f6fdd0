package io.sparkrl.settings;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Typed, validated reads of one configuration section. Every read names the full key on failure
 * (wrong type, missing, out of range); no read supplies a default — defaults live in reference.conf.
 */
public final class Section {
  private final Config config;
  private final String path;

  public Section(Config config, String path) {
    this.config = config;
    this.path = path;
  }

  public Section child(String name) {
    return new Section(config, key(name));
  }

  public String key(String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  public int positiveInt(String name) {
    return intIn(name, 1, Integer.MAX_VALUE);
  }

  public int nonNegativeInt(String name) {
    return intIn(name, 0, Integer.MAX_VALUE);
  }

  public int intIn(String name, int lo, int hi) {
    Number n = read(name, () -> config.getNumber(key(name)));
    if (n.doubleValue() != Math.rint(n.doubleValue())) {
      throw new SettingsException(key(name), n, "must be a whole number");
    }
    int v = read(name, () -> config.getInt(key(name)));
    if (v < lo || v > hi) {
      throw new SettingsException(key(name), v, "must be in [" + lo + ", " + hi + "]");
    }
    return v;
  }

  public long anyLong(String name) {
    return read(name, () -> config.getLong(key(name)));
  }

  public long longIn(String name, long lo, long hi) {
    Number n = read(name, () -> config.getNumber(key(name)));
    if (n.doubleValue() != Math.rint(n.doubleValue())) {
      throw new SettingsException(key(name), n, "must be a whole number");
    }
    long v = anyLong(name);
    if (v < lo || v > hi) {
      throw new SettingsException(key(name), v, "must be in [" + lo + ", " + hi + "]");
    }
    return v;
  }

  /** A duration with its unit ({@code 500ms}, {@code 2s}) in [lo, hi]. */
  public java.time.Duration durationIn(String name, java.time.Duration lo, java.time.Duration hi) {
    java.time.Duration v = read(name, () -> config.getDuration(key(name)));
    if (v.compareTo(lo) < 0 || v.compareTo(hi) > 0) {
      throw new SettingsException(key(name), config.getValue(key(name)).unwrapped(),
          "must be a duration in [" + lo.toMillis() + "ms, " + hi.toMillis() + "ms], e.g. 500ms or 2s");
    }
    return v;
  }

  /** A double in [lo, hi]; either bound may be infinite. */
  public double doubleIn(String name, double lo, double hi) {
    double v = read(name, () -> config.getDouble(key(name)));
    if (!(v >= lo && v <= hi)) {
      throw new SettingsException(key(name), v, "must be in [" + lo + ", " + hi + "]");
    }
    return v;
  }

  /** A double in (lo, hi]: strictly above lo. */
  public double doubleAbove(String name, double lo, double hi) {
    double v = read(name, () -> config.getDouble(key(name)));
    if (!(v > lo && v <= hi)) {
      throw new SettingsException(key(name), v, "must be in (" + lo + ", " + hi + "]");
    }
    return v;
  }

  public double finiteDouble(String name) {
    return doubleIn(name, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
  }

  public boolean bool(String name) {
    return read(name, () -> config.getBoolean(key(name)));
  }

  public String string(String name) {
    return read(name, () -> config.getString(key(name)));
  }

  public String nonEmptyString(String name) {
    String v = string(name);
    if (v.isBlank()) {
      throw new SettingsException(key(name), v, "must not be empty");
    }
    return v;
  }

  public List<String> stringList(String name) {
    return read(name, () -> config.getStringList(key(name)));
  }

  public List<? extends Config> configList(String name) {
    return read(name, () -> config.getConfigList(key(name)));
  }

  /** A duration (HOCON: "90s", "2h", "1d", or milliseconds as a number), {@code >= 0}. */
  public java.time.Duration nonNegativeDuration(String name) {
    java.time.Duration d = read(name, () -> config.getDuration(key(name)));
    if (d.isNegative()) {
      throw new SettingsException(key(name), d, "must not be negative");
    }
    return d;
  }

  /** One of the allowed lower-case names; the message lists them. */
  public String oneOf(String name, Set<String> allowed) {
    String v = string(name).trim().toLowerCase(Locale.ROOT);
    if (!allowed.contains(v)) {
      throw new SettingsException(key(name), v, "must be one of " + new java.util.TreeSet<>(allowed));
    }
    return v;
  }

  private <T> T read(String name, Supplier<T> reader) {
    try {
      return reader.get();
    } catch (ConfigException.Missing e) {
      throw new SettingsException(key(name), "is missing (every key has a default in reference.conf)", e);
    } catch (ConfigException.WrongType e) {
      throw new SettingsException(key(name), "has the wrong type: " + e.getMessage(), e);
    } catch (ConfigException e) {
      throw new SettingsException(key(name), e.getMessage(), e);
    }
  }
}
