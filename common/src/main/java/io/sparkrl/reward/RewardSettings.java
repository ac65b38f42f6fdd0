package io.sparkrl.reward;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.sparkrl.reward.program.ProgramLimits;
import io.sparkrl.settings.Section;
import io.sparkrl.settings.SettingsException;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The {@code sparkrl.reward} section, read and validated once on the driver and shipped to
 * executors. Everything that can be wrong with it (a misspelt key in a function entry, a class that
 * is not on the classpath, a regex that does not compile) fails here with the key named, before
 * any rollout is sampled.
 *
 * @param functions the weighted functions whose sum is the reward, in configuration order
 * @param fallback the score that replaces a function's throw, NaN or infinity
 * @param answerPrefix {@code answer-match.prefix}
 * @param formatPattern {@code format.pattern}, a Java regex known to compile
 * @param lengthFreeChars {@code length-penalty.free-chars} (characters)
 * @param lengthPerChar {@code length-penalty.per-char} (reward units per character)
 * @param timeout {@code timeout}: how long one call of a user function or {@code format} may run
 * @param program {@code program}: the limits of {@code program-runs} and {@code program-output}
 */
public record RewardSettings(
    List<WeightedFunction> functions,
    double fallback,
    String answerPrefix,
    String formatPattern,
    int lengthFreeChars,
    double lengthPerChar,
    Duration timeout,
    ProgramLimits program)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final String SECTION = "sparkrl.reward";
  public static final String ANSWER_MATCH = "answer-match";
  public static final String FORMAT = "format";
  public static final String LENGTH_PENALTY = "length-penalty";
  public static final String PROGRAM_RUNS = "program-runs";
  public static final String PROGRAM_OUTPUT = "program-output";
  /** Names that select a function of this package rather than a user class. */
  public static final List<String> BUILT_INS =
      List.of(ANSWER_MATCH, FORMAT, LENGTH_PENALTY, PROGRAM_RUNS, PROGRAM_OUTPUT);

  private static final Set<String> ENTRY_KEYS = Set.of("name", "weight");

  /**
   * One entry of {@code functions}.
   *
   * @param name a built-in ({@link #BUILT_INS}) or the fully-qualified (binary) name of a class
   *     implementing {@link Reward}
   * @param weight the function's factor in the sum, finite
   */
  public record WeightedFunction(String name, double weight) implements Serializable {
    private static final long serialVersionUID = 1L;

    public WeightedFunction {
      Objects.requireNonNull(name, "name == null");
    }
  }

  public RewardSettings {
    functions = List.copyOf(functions);
    Objects.requireNonNull(answerPrefix, "answerPrefix == null");
    Objects.requireNonNull(formatPattern, "formatPattern == null");
    Objects.requireNonNull(timeout, "timeout == null");
    Objects.requireNonNull(program, "program == null");
  }

  /** Whether a function of the stack language is configured (its alphabet then joins the vocabulary). */
  public boolean usesPrograms() {
    return functions.stream().anyMatch(
        f -> f.name().equals(PROGRAM_RUNS) || f.name().equals(PROGRAM_OUTPUT));
  }

  /** @throws SettingsException naming the first bad key */
  public static RewardSettings from(Config config) {
    Section section = new Section(config, SECTION);
    List<WeightedFunction> functions = functions(section);
    double fallback = section.finiteDouble("fallback");
    String prefix = section.child("answer-match").nonEmptyString("prefix");
    String pattern = pattern(section.child("format"));
    Section length = section.child("length-penalty");
    int freeChars = length.intIn("free-chars", 0, 1_000_000);
    double perChar = length.doubleIn("per-char", 0, Double.POSITIVE_INFINITY);
    if (Double.isInfinite(perChar)) {
      throw new SettingsException(length.key("per-char"), perChar, "must be finite");
    }
    Duration timeout = section.durationIn("timeout", Duration.ofMillis(1), Duration.ofHours(1));
    ProgramLimits program = ProgramLimits.from(section.child("program"));
    return new RewardSettings(functions, fallback, prefix, pattern, freeChars, perChar, timeout,
        program);
  }

  private static List<WeightedFunction> functions(Section section) {
    List<? extends Config> entries = section.configList("functions");
    if (entries.isEmpty()) {
      throw new SettingsException(section.key("functions"), List.of(),
          "must list at least one reward function, e.g. [{ name = answer-match, weight = 1.0 }]");
    }
    List<WeightedFunction> functions = new ArrayList<>(entries.size());
    for (int i = 0; i < entries.size(); i++) {
      functions.add(function(entries.get(i), section.key("functions") + "[" + i + "]"));
    }
    return functions;
  }

  /**
   * Reads one list entry. {@link Section} cannot address list elements by path, so the entry's
   * keys are checked here and named {@code sparkrl.reward.functions[i].key}.
   */
  private static WeightedFunction function(Config entry, String entryKey) {
    Set<String> unknown = new TreeSet<>(entry.root().keySet());
    unknown.removeAll(ENTRY_KEYS);
    if (!unknown.isEmpty()) {
      String key = unknown.iterator().next();
      throw new SettingsException(entryKey + "." + key, entry.getValue(key).unwrapped(),
          "is not a setting: a reward function entry has only `name` and `weight`");
    }
    String nameKey = entryKey + ".name";
    String name = entryValue(entry, "name", nameKey, entry::getString).trim();
    if (name.isEmpty()) {
      throw new SettingsException(nameKey, name, "must not be empty");
    }
    if (!BUILT_INS.contains(name)) {
      try {
        UserRewardClasses.constructor(name);
      } catch (IllegalArgumentException e) {
        throw new SettingsException(nameKey, name, e.getMessage());
      }
    }
    String weightKey = entryKey + ".weight";
    double weight = entryValue(entry, "weight", weightKey, entry::getDouble);
    if (!Double.isFinite(weight)) {
      throw new SettingsException(weightKey, weight, "must be a finite number");
    }
    return new WeightedFunction(name, weight);
  }

  private static <T> T entryValue(
      Config entry, String path, String key, java.util.function.Function<String, T> reader) {
    try {
      return reader.apply(path);
    } catch (ConfigException.Missing e) {
      throw new SettingsException(key, "is missing: every reward function needs a name and a weight", e);
    } catch (ConfigException.WrongType e) {
      throw new SettingsException(key, "has the wrong type: " + e.getMessage(), e);
    } catch (ConfigException e) {
      throw new SettingsException(key, e.getMessage(), e);
    }
  }

  private static String pattern(Section format) {
    String pattern = format.string("pattern");
    try {
      Pattern.compile(pattern);
    } catch (PatternSyntaxException e) {
      throw new SettingsException(format.key("pattern"), pattern,
          "is not a valid Java regular expression: " + e.getDescription() + " near index " + e.getIndex());
    }
    return pattern;
  }
}
