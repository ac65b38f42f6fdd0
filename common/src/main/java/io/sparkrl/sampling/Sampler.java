package io.sparkrl.sampling;

import io.sparkrl.tokenizer.Vocabulary;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Generates G completions for each of B prompts together: one batched pass per token over all
 * live sequences, finished sequences dropped from the batch.
 *
 * <p>Prompts of different lengths are fed side by side (each row steps only while it still has
 * prompt tokens), then each prompt's final state is copied to its G sample rows. Completion
 * (prompt p, sample j) draws its uniforms from its own stream (seed, step, prompt id, j). With
 * {@link io.sparkrl.policy.lstm.LstmKernel} a row's arithmetic never depends on other rows, so its tokens are the same in
 * any batch; with {@link io.sparkrl.policy.lstm.NetworkStepper} the floats come from the backend's batched ops, which
 * promise no such thing (a token can differ only where a draw lands within rounding of a boundary).
 */
public final class Sampler {
  private final TokenStepper policy;
  private final SamplingSettings settings;
  private final int eos;

  /**
   * @param policy the policy's one-token steps: {@link io.sparkrl.policy.lstm.LstmKernel} (rows independent of each other,
   *     bit for bit) or {@link io.sparkrl.policy.lstm.NetworkStepper}
   */
  public Sampler(TokenStepper policy, SamplingSettings settings, int eosToken) {
    this.policy = policy;
    this.settings = settings;
    this.eos = eosToken;
  }

  /** A sampler that stops at the character vocabulary's EOS. */
  public Sampler(TokenStepper policy, SamplingSettings settings) {
    this(policy, settings, Vocabulary.EOS);
  }

  /**
   * Completions for every prompt, prompt-major: result[p * G + j] is sample j of prompt p.
   *
   * @param seed the run's seed; with {@code step} it fixes every random draw
   */
  public List<Completion> sample(List<Prompt> prompts, long seed, long step) {
    int b = prompts.size();
    int g = settings.groupSize();
    int v = policy.vocabularySize();
    if (b == 0) {
      return List.of();
    }
    // 1. Prompts: rows 0..B-1, each at its prompt's end.
    float[] promptLogits = new float[b * v];
    List<int[]> promptTokens = new ArrayList<>(b);
    for (Prompt p : prompts) {
      promptTokens.add(p.tokens());
    }
    TokenStepper.Rows promptRows = policy.prefill(promptTokens, promptLogits);

    // 2. Completions: (B*G) rows, starting from their prompt's state.
    int total = b * g;
    int[] rows = new int[total];
    int[] tokens = new int[total];
    int[] promptOf = new int[total];
    for (int r = 0; r < total; r++) {
      promptOf[r] = r / g;
    }
    TokenStepper.Rows completionRows = promptRows.expand(promptOf);
    float[] logits = new float[total * v];
    SplittableRandom[] random = new SplittableRandom[total];
    int[][] sampled = new int[total][settings.maxNewTokens()];
    float[][] logProbs = new float[total][settings.maxNewTokens()];
    int[] length = new int[total];
    boolean[] finished = new boolean[total];
    int live = 0;
    for (int p = 0; p < b; p++) {
      for (int j = 0; j < g; j++) {
        int r = p * g + j;
        System.arraycopy(promptLogits, p * v, logits, live * v, v);
        random[r] = CompletionRandom.of(seed, step, prompts.get(p).id(), j);
        rows[live++] = r;
      }
    }
    TokenPicker picker = new TokenPicker(settings, v);
    while (live > 0) {
      int next = 0;
      for (int i = 0; i < live; i++) {
        int r = rows[i];
        int token = picker.pick(logits, i * v, settings.isGreedy() ? 0 : random[r].nextDouble());
        sampled[r][length[r]] = token;
        logProbs[r][length[r]] = (float) picker.logProb();
        length[r]++;
        if (token == eos) {
          finished[r] = true;
        } else if (length[r] < settings.maxNewTokens()) {
          rows[next] = r;
          tokens[next] = token;
          next++;
        }
      }
      live = next;
      if (live > 0) {
        completionRows.step(live, rows, tokens, logits);
      }
    }

    List<Completion> out = new ArrayList<>(total);
    for (int p = 0; p < b; p++) {
      for (int j = 0; j < g; j++) {
        int r = p * g + j;
        out.add(new Completion(prompts.get(p).id(), j, Arrays.copyOf(sampled[r], length[r]),
            Arrays.copyOf(logProbs[r], length[r]), finished[r]));
      }
    }
    return out;
  }
}
