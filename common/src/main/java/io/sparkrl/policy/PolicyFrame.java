package io.sparkrl.policy;

import io.sparkrl.tokenizer.Tokenizer;
import java.io.Serializable;

/**
 * The part of a policy that does not change between steps: its architecture (with shape) and its
 * tokenizer. A run broadcasts it once; each step broadcasts only the parameters
 * ({@link PolicySnapshot#of(PolicyFrame, float[], long)} puts them together on the executor).
 */
public record PolicyFrame(PolicyArchitecture architecture, Tokenizer tokenizer)
    implements Serializable {}
