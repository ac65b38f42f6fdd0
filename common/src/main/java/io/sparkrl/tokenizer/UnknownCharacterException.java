package io.sparkrl.tokenizer;

/** A character outside the vocabulary, with its position in the text being encoded. */
public final class UnknownCharacterException extends IllegalArgumentException {
  private final int codePoint;
  private final int position;

  UnknownCharacterException(int codePoint, int position, String text) {
    super(String.format("unknown character '%s' (U+%04X) at position %d of \"%s\"; the vocabulary was"
        + " built from a corpus without it (set sparkrl.tokenizer.unknown = replace to map it to UNK)",
        new String(Character.toChars(codePoint)), codePoint, position, abbreviate(text)));
    this.codePoint = codePoint;
    this.position = position;
  }

  public int codePoint() {
    return codePoint;
  }

  /** Index of the character in the text, counted in code points from 0. */
  public int position() {
    return position;
  }

  private static String abbreviate(String text) {
    return text.length() <= 80 ? text : text.substring(0, 77) + "...";
  }
}
