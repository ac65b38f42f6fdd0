package io.sparkrl.optim;

/**
 * What one {@link AdamW#apply} did, for logging.
 *
 * @param gradNorm the global L2 norm of the gradient as given, before clipping
 * @param clippedNorm the norm of the gradient actually used: {@code min(gradNorm, maxGradNorm)},
 *     or {@code gradNorm} when clipping is off
 * @param learningRate the learning rate of this step
 * @param step the number of updates applied so far, this one included
 */
public record UpdateReport(double gradNorm, double clippedNorm, double learningRate, long step) {
  /** Whether the gradient was scaled down. */
  public boolean clipped() {
    return clippedNorm < gradNorm;
  }
}
