package io.sparkrl.job.output;

import io.sparkrl.step.PromptSchedule;

/**
 * Where a run is in its data: the next step, and the epoch and position in that epoch's prompt
 * order. The schedule is a function of (seed, corpus size, prompts per step), so these three are
 * kept too: a resume over a different corpus would silently train on other prompts.
 *
 * @param nextStep the step the run continues with (= steps done)
 * @param epoch the epoch of {@code nextStep}
 * @param positionInEpoch the position of {@code nextStep}'s first prompt in the epoch's order
 */
public record DataCursor(long nextStep, long epoch, long positionInEpoch, long corpusPrompts,
    int promptsPerStep, long seed) {

  public static DataCursor at(long nextStep, long corpusPrompts, int promptsPerStep, long seed) {
    PromptSchedule schedule = new PromptSchedule(corpusPrompts, promptsPerStep, seed);
    long epoch = schedule.epochOf(nextStep);
    long position = (nextStep - epoch * schedule.stepsPerEpoch()) * promptsPerStep;
    return new DataCursor(nextStep, epoch, position, corpusPrompts, promptsPerStep, seed);
  }

  /** Why a run with these settings cannot continue from this cursor, or null when it can. */
  public String mismatch(long corpusPrompts, int promptsPerStep, long seed) {
    if (corpusPrompts != this.corpusPrompts) {
      return "the corpus now has " + corpusPrompts + " prompts but the checkpoint was written over "
          + this.corpusPrompts;
    }
    if (promptsPerStep != this.promptsPerStep) {
      return "sparkrl.run.prompts-per-step is " + promptsPerStep + " but the checkpoint was written with "
          + this.promptsPerStep;
    }
    if (seed != this.seed) {
      return "sparkrl.run.seed is " + seed + " but the checkpoint was written with " + this.seed;
    }
    return null;
  }
}
