package io.sparkrl.optim;

import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** The shape of the learning rate after warmup ({@code sparkrl.optimizer.schedule.type}). */
public enum ScheduleType {
  /** The peak learning rate for ever. */
  CONSTANT("constant"),
  /** A straight line from the peak down to {@code peak · min-ratio} over {@code decay-steps}. */
  LINEAR("linear"),
  /**
   * Half a cosine from the peak down to {@code peak · min-ratio}: it stays near the peak longer and
   * flattens out at the end, which usually beats linear decay for the same number of steps.
   */
  COSINE("cosine");

  /** The names accepted in the configuration. */
  static final Set<String> NAMES = Arrays.stream(values())
      .map(ScheduleType::configName)
      .collect(Collectors.toUnmodifiableSet());

  private final String configName;

  ScheduleType(String configName) {
    this.configName = configName;
  }

  /** The lower-case name used in the configuration. */
  public String configName() {
    return configName;
  }

  /** @throws IllegalArgumentException listing the valid names */
  public static ScheduleType parse(String configName) {
    String wanted = configName.trim().toLowerCase(Locale.ROOT);
    for (ScheduleType type : values()) {
      if (type.configName.equals(wanted)) {
        return type;
      }
    }
    throw new IllegalArgumentException("unknown schedule type \"" + configName + "\"; expected one of "
        + new java.util.TreeSet<>(NAMES));
  }
}
