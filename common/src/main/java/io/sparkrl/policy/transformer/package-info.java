/**
 * Decoder-only transformer policies (Llama family, including GQA and Qwen2-style q/k/v biases, and
 * GPT-2) for REINFORCE, on one flat parameter vector in Hugging Face's naming and order.
 *
 * <ul>
 *   <li>{@link io.sparkrl.policy.transformer.TransformerShape}: the hyper-parameters, validated,
 *       with a stable JSON form;
 *   <li>{@link io.sparkrl.policy.transformer.TransformerLayout}: every tensor as a named
 *       row-major block of the flat vector (safetensors import/export is a straight copy);
 *   <li>{@link io.sparkrl.policy.transformer.TransformerInit}: fresh parameters from a seed;
 *   <li>{@link io.sparkrl.policy.transformer.TransformerPolicy}: completion log-probs and the
 *       gradient sum (the contract of {@code LstmBackprop}), computed with ND4J ops;
 *   <li>{@link io.sparkrl.policy.transformer.TransformerStepper}: the KV-cached
 *       {@link io.sparkrl.sampling.TokenStepper} the {@link io.sparkrl.sampling.Sampler} drives.
 * </ul>
 *
 * <p>Positions are absolute from 0 at a sequence's first token (BOS included); there is no
 * left-padding anywhere. End-of-sequence is the sampler's business (it stops a row at its EOS
 * token); the policy treats EOS as any other token.
 */
package io.sparkrl.policy.transformer;
