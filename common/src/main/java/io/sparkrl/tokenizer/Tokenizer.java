package io.sparkrl.tokenizer;

import java.io.DataOutput;
import java.io.IOException;
import java.io.Serializable;

/**
 * Text to token ids and back: the policy's tokenizer seam. {@link Vocabulary} (characters, for the
 * LSTM) is one implementation; a byte-level BPE read from a Hugging Face {@code tokenizer.json} is
 * the other. Implementations are immutable and serializable (they travel inside the broadcast
 * policy snapshot).
 */
public interface Tokenizer extends Serializable {
  /** The number of token ids, specials included: the policy's output width. */
  int size();

  /** The token that ends a completion; sampling stops when it is drawn. */
  int eosToken();

  /** Token ids of the text, with no special tokens added. */
  int[] encode(String text, UnknownCharacterMode unknown);

  /**
   * The conditioning every completion of the prompt starts from: the prompt's ids with whatever
   * the tokenizer puts around them (the character vocabulary: {@code BOS prompt SEP}).
   */
  int[] encodePrompt(String prompt, UnknownCharacterMode unknown);

  /** The text of ids[from, to); special tokens are dropped. */
  String decode(int[] ids, int from, int to);

  /** A readable name for any id, specials included (for logs and errors). */
  String tokenName(int id);

  /**
   * The index (in code points) of the first character of {@code text} that this tokenizer cannot
   * encode without {@code sparkrl.tokenizer.unknown = replace}, or -1 when it can encode all of it
   * (a byte-level tokenizer encodes every text).
   */
  default int firstUnencodable(String text) {
    return -1;
  }

  /** Writes the tokenizer; {@link Tokenizers#read} with its {@link #kind} reads it back. */
  void writeTo(DataOutput out) throws IOException;

  /** A short name of the implementation ("characters", "byte-level-bpe"), for metadata and logs. */
  String kind();
}
