package io.sparkrl.tokenizer;

/** What encoding does with a character that is not in the vocabulary. */
public enum UnknownCharacterMode {
  /** Stop with an {@link UnknownCharacterException} naming the character and its position. */
  ERROR,
  /** Map the character to {@link Vocabulary#UNK}. */
  REPLACE;

  public static UnknownCharacterMode parse(String name) {
    return valueOf(name.trim().toUpperCase(java.util.Locale.ROOT));
  }
}
