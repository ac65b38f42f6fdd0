package io.sparkrl.tokenizer.bpe;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * GPT-2's byte-to-character table, which byte-level BPE vocabularies are written in: each of the
 * 256 byte values has its own printable character. The 188 bytes that are printable Latin-1
 * ({@code !}..{@code ~}, {@code ¡}..{@code ¬}, {@code ®}..{@code ÿ}) stand for themselves; the
 * other 68 (controls, space, soft hyphen...) take U+0100, U+0101, ... in byte order, so that the
 * space byte 0x20 is {@code Ġ} (U+0120) and the newline 0x0A is {@code Ċ} (U+010A).
 */
public final class ByteLevel {
  private static final char[] BYTE_TO_CHAR = new char[256];
  private static final int[] CHAR_TO_BYTE = new int[0x200];

  static {
    java.util.Arrays.fill(CHAR_TO_BYTE, -1);
    int next = 256;
    for (int b = 0; b < 256; b++) {
      boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      char c = printable ? (char) b : (char) next++;
      BYTE_TO_CHAR[b] = c;
      CHAR_TO_BYTE[c] = b;
    }
  }

  private ByteLevel() {}

  /** The character standing for a byte (0..255). */
  public static char charOf(int b) {
    return BYTE_TO_CHAR[b & 0xFF];
  }

  /** The byte a character stands for, or -1 if it stands for none. */
  public static int byteOf(char c) {
    return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
  }

  /** The text's UTF-8 bytes, one table character each. */
  public static String encode(String text) {
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    char[] out = new char[utf8.length];
    for (int i = 0; i < utf8.length; i++) {
      out[i] = BYTE_TO_CHAR[utf8[i] & 0xFF];
    }
    return new String(out);
  }

  /**
   * Appends the bytes a token stands for. A token with a character outside the table (an added
   * token written in plain text) contributes its own UTF-8 bytes, as Hugging Face's decoder does.
   */
  static void appendBytes(String token, ByteArrayOutputStream out) {
    for (int i = 0; i < token.length(); i++) {
      if (byteOf(token.charAt(i)) < 0) {
        out.writeBytes(token.getBytes(StandardCharsets.UTF_8));
        return;
      }
    }
    for (int i = 0; i < token.length(); i++) {
      out.write(byteOf(token.charAt(i)));
    }
  }

  /** All 256 table characters, in byte order. */
  static String alphabet() {
    return new String(BYTE_TO_CHAR);
  }
}
