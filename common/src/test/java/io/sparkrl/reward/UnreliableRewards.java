package io.sparkrl.reward;

/**
 * User reward classes that misbehave on some inputs, named by their binary names in tests'
 * configurations. Their rules depend on the reference only, so a test knows exactly which calls
 * misbehave.
 */
public final class UnreliableRewards {
  public static final String THROWS_ON_ODD = UnreliableRewards.class.getName() + "$ThrowsOnOdd";
  public static final String HANGS_ON_THREE = UnreliableRewards.class.getName() + "$HangsOnThree";
  public static final String FAST = UnreliableRewards.class.getName() + "$Fast";

  private UnreliableRewards() {}

  /** 1, or an exception when the reference is an odd number. */
  public static final class ThrowsOnOdd implements Reward {
    @Override
    public double score(String prompt, String completion, String reference) {
      if (Long.parseLong(reference.trim()) % 2 != 0) {
        throw new IllegalStateException("user bug on " + reference);
      }
      return 1.0;
    }
  }

  /**
   * 1, or never returns when the reference ends in 3: it sleeps forever and swallows interrupts,
   * as hostile or careless code may, so only abandoning the call gets the task going again.
   */
  public static final class HangsOnThree implements Reward {
    @Override
    public double score(String prompt, String completion, String reference) {
      if (reference.trim().endsWith("3")) {
        while (true) {
          try {
            Thread.sleep(60_000);
          } catch (InterruptedException ignored) {
            // keeps sleeping: this reward never returns
          }
        }
      }
      return 1.0;
    }
  }

  /** As cheap as a reward can be: for measuring the guard's own cost per call. */
  public static final class Fast implements Reward {
    @Override
    public double score(String prompt, String completion, String reference) {
      return completion.length();
    }
  }
}
