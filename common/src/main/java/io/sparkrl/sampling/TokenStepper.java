package io.sparkrl.sampling;

/**
 * What {@link Sampler} needs from a policy: one token at a time for a batch of rows, each row
 * carrying its own recurrent state. {@link io.sparkrl.policy.lstm.LstmKernel} (plain Java on the executor's CPU core)
 * and {@link io.sparkrl.policy.lstm.NetworkStepper} (the DL4J network's own ops, on the bound GPU under the CUDA backend)
 * are the two; {@link SamplingDevice} chooses.
 */
public interface TokenStepper {
  int vocabularySize();

  /** A batch of {@code capacity} rows, all at the policy's initial (zero) state. */
  Rows start(int capacity);

  /**
   * Rows 0..B-1 after reading prompt p's tokens, with the logits that follow each prompt's last
   * token written to {@code lastLogits[p*V, (p+1)*V)}. The default feeds the prompts side by side,
   * one position per {@link Rows#step} (each row steps while it still has prompt tokens): what a
   * recurrent policy must do. A policy that can read whole prompts at once (a transformer filling
   * its key/value cache in one batched pass) overrides it.
   */
  default Rows prefill(java.util.List<int[]> prompts, float[] lastLogits) {
    int b = prompts.size();
    int v = vocabularySize();
    Rows promptRows = start(b);
    float[] stepLogits = new float[b * v];
    int[] rows = new int[b];
    int[] tokens = new int[b];
    int longest = 0;
    for (int[] p : prompts) {
      longest = Math.max(longest, p.length);
    }
    for (int t = 0; t < longest; t++) {
      int n = 0;
      for (int p = 0; p < b; p++) {
        int[] pt = prompts.get(p);
        if (t < pt.length) {
          rows[n] = p;
          tokens[n] = pt[t];
          n++;
        }
      }
      promptRows.step(n, rows, tokens, stepLogits);
      for (int i = 0; i < n; i++) {
        if (t == prompts.get(rows[i]).length - 1) {
          System.arraycopy(stepLogits, i * v, lastLogits, rows[i] * v, v);
        }
      }
    }
    return promptRows;
  }

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
