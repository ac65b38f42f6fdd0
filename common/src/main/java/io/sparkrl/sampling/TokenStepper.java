package io.sparkrl.sampling;

/**
 * What {@link Sampler} needs from a policy: one token at a time for a batch of rows, each row
 * carrying its own recurrent state. {@link LstmKernel} (plain Java on the executor's CPU core)
 * and {@link NetworkStepper} (the DL4J network's own ops, on the bound GPU under the CUDA backend)
 * are the two; {@link SamplingDevice} chooses.
 */
public interface TokenStepper {
  int vocabularySize();

  /** A batch of {@code capacity} rows, all at the policy's initial (zero) state. */
  Rows start(int capacity);

  /** The recurrent state of a fixed set of rows, indexed 0..capacity-1. */
  interface Rows {
    /**
     * Feeds {@code tokens[i]} to row {@code rows[i]} for i < n, advancing that row's state, and
     * writes its next-token logits (any per-row shift of them: the sampler only takes softmaxes
     * and differences) to {@code logits[i*V, (i+1)*V)}. Rows not listed keep their state.
     */
    void step(int n, int[] rows, int[] tokens, float[] logits);

    /** A new batch whose row r starts from this batch's row {@code sources[r]}. */
    Rows expand(int[] sources);
  }
}
