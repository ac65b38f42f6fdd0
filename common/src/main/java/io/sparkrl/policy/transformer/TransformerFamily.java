package io.sparkrl.policy.transformer;

/**
 * The decoder-only architectures a {@link TransformerShape} can describe.
 *
 * <ul>
 *   <li>{@link #LLAMA}: RMSNorm, rotary positions, grouped-query attention, SwiGLU MLP, no
 *       biases except optional q/k/v ones (Llama, Mistral, Qwen2 and the like).
 *   <li>{@link #GPT2}: LayerNorm with bias, learned positions, multi-head attention with biases,
 *       tanh-GELU MLP, output head tied to the token embedding.
 * </ul>
 */
public enum TransformerFamily {
  LLAMA,
  GPT2
}
