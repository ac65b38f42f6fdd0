package io.sparkrl.reward.program;

import io.sparkrl.settings.Section;
import java.io.Serializable;
import java.time.Duration;

/**
 * What one program may use ({@code sparkrl.reward.program}). Every limit is checked while the
 * program runs, so no program, however hostile, runs longer or holds more than these allow.
 *
 * @param maxSteps instructions executed (literals and operators; spaces are free)
 * @param maxStack values on the stack at once: the memory budget (8 bytes each)
 * @param maxMagnitude the largest absolute value of a literal or a result
 * @param maxNesting how deeply loops may nest; the parser rejects deeper programs
 * @param timeLimitNanos wall-clock time of one run, checked every {@link #CLOCK_EVERY} steps
 */
public record ProgramLimits(long maxSteps, int maxStack, long maxMagnitude, int maxNesting,
    long timeLimitNanos) implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The clock is read once per this many steps: a read costs about as much as 20 steps. */
  public static final int CLOCK_EVERY = 256;

  /** The most {@code max-magnitude} may be, so that every allowed value fits in a long. */
  public static final long MAGNITUDE_CEILING = 1_000_000_000_000_000_000L;

  public ProgramLimits {
    if (maxSteps < 1 || maxStack < 1 || maxMagnitude < 1 || maxMagnitude > MAGNITUDE_CEILING
        || maxNesting < 0 || timeLimitNanos < 1) {
      throw new IllegalArgumentException("invalid program limits: steps " + maxSteps + ", stack "
          + maxStack + ", magnitude " + maxMagnitude + ", nesting " + maxNesting + ", time "
          + timeLimitNanos + " ns");
    }
  }

  /** Reads {@code section} (e.g. {@code sparkrl.reward.program}); errors name the key. */
  public static ProgramLimits from(Section section) {
    return new ProgramLimits(
        section.longIn("max-steps", 1, 1_000_000_000_000L),
        section.intIn("max-stack", 1, 1_000_000),
        section.longIn("max-magnitude", 1, MAGNITUDE_CEILING),
        section.intIn("max-nesting", 0, 1_000_000),
        section.durationIn("time-limit", Duration.ofMillis(1), Duration.ofMinutes(10)).toNanos());
  }
}
