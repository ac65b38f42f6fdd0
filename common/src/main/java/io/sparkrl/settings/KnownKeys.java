package io.sparkrl.settings;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Checks a configuration against reference.conf before any work starts: every key under the root
 * must exist in the reference (a typo is an error, never silently ignored) and have its type.
 */
public final class KnownKeys {
  private KnownKeys() {}

  /** Throws a {@link SettingsException} naming the first unknown or mistyped key. */
  public static void check(Config config, Config reference, String root) {
    Set<String> known = new TreeSet<>();
    for (Map.Entry<String, ConfigValue> e : reference.getConfig(root).entrySet()) {
      known.add(root + "." + e.getKey());
    }
    // sorted, so the same configuration always reports the same first problem
    Map<String, ConfigValue> entries = new TreeMap<>();
    for (Map.Entry<String, ConfigValue> e : config.getConfig(root).entrySet()) {
      entries.put(root + "." + e.getKey(), e.getValue());
    }
    for (Map.Entry<String, ConfigValue> e : entries.entrySet()) {
      String key = e.getKey();
      if (!known.contains(key) && !reference.hasPathOrNull(key)) {
        String hint = closest(key, known);
        throw new SettingsException(key, e.getValue().unwrapped(), "unknown key (set at "
            + e.getValue().origin().description() + ")"
            + (hint == null ? "" : "; did you mean " + hint + "?"));
      }
    }
    try {
      config.checkValid(reference, root);
    } catch (ConfigException.ValidationFailed e) {
      ConfigException.ValidationProblem first = e.problems().iterator().next();
      throw new SettingsException(first.path(), first.problem(), e);
    }
  }

  private static String closest(String key, Set<String> known) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String k : known) {
      int d = distance(key, k);
      if (d < bestDistance) {
        bestDistance = d;
        best = k;
      }
    }
    return bestDistance <= Math.max(2, key.length() / 8) ? best : null;
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
