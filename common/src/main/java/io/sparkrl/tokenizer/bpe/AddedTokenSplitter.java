package io.sparkrl.tokenizer.bpe;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Cuts added tokens out of a text before it is pre-tokenized: scanning left to right, the first
 * position where some added token starts wins, and there the longest token that starts
 * (leftmost-longest, as Hugging Face's added vocabulary matches). The rest of the text is left in
 * pieces between the tokens.
 */
final class AddedTokenSplitter implements Serializable {
  private static final long serialVersionUID = 1L;

  /** A piece of the text: the token's id, or text (id -1) still to be tokenized. */
  record Piece(String text, int id) {
    boolean isToken() {
      return id >= 0;
    }
  }

  /** Tokens by first character, longest first. */
  private final Map<Character, List<AddedToken>> byFirstChar = new HashMap<>();

  AddedTokenSplitter(List<AddedToken> tokens) {
    for (AddedToken t : tokens) {
      byFirstChar.computeIfAbsent(t.content().charAt(0), c -> new ArrayList<>()).add(t);
    }
    for (List<AddedToken> list : byFirstChar.values()) {
      list.sort(Comparator.comparingInt((AddedToken t) -> -t.content().length()));
    }
  }

  boolean isEmpty() {
    return byFirstChar.isEmpty();
  }

  /** Appends the text's pieces to out: tokens, and the (non-empty) text between them. */
  void split(String text, List<Piece> out) {
    if (byFirstChar.isEmpty()) {
      if (!text.isEmpty()) {
        out.add(new Piece(text, -1));
      }
      return;
    }
    int segmentStart = 0;
    int i = 0;
    int n = text.length();
    while (i < n) {
      List<AddedToken> candidates = byFirstChar.get(text.charAt(i));
      AddedToken match = null;
      if (candidates != null) {
        for (AddedToken t : candidates) {
          if (text.startsWith(t.content(), i) && (!t.singleWord() || isWordBoundary(text, i, i + t.content().length()))) {
            match = t;
            break;
          }
        }
      }
      if (match == null) {
        i++;
        continue;
      }
      int start = i;
      int end = i + match.content().length();
      if (match.lstrip()) {
        while (start > segmentStart && isWhiteSpace(text.codePointBefore(start))) {
          start -= Character.charCount(text.codePointBefore(start));
        }
      }
      if (match.rstrip()) {
        while (end < n && isWhiteSpace(text.codePointAt(end))) {
          end += Character.charCount(text.codePointAt(end));
        }
      }
      if (start > segmentStart) {
        out.add(new Piece(text.substring(segmentStart, start), -1));
      }
      out.add(new Piece(match.content(), match.id()));
      segmentStart = end;
      i = end;
    }
    if (segmentStart < n) {
      out.add(new Piece(text.substring(segmentStart), -1));
    }
  }

  private static boolean isWordBoundary(String text, int start, int end) {
    boolean before = start == 0 || !Character.isLetterOrDigit(text.codePointBefore(start));
    boolean after = end == text.length() || !Character.isLetterOrDigit(text.codePointAt(end));
    return before && after;
  }

  /** Unicode White_Space (as Rust's char::is_whitespace), which Character.isWhitespace is not. */
  static boolean isWhiteSpace(int cp) {
    return switch (cp) {
      case 0x1C, 0x1D, 0x1E, 0x1F -> false;
      case 0x85, 0xA0, 0x2007, 0x202F -> true;
      default -> Character.isWhitespace(cp);
    };
  }
}
