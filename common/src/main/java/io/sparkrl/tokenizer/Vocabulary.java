package io.sparkrl.tokenizer;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;
import java.util.TreeSet;

/**
 * A character vocabulary: five special tokens followed by the corpus's characters in code-point
 * order, so the same corpus always gives the same ids. A sequence is laid out as
 * {@code BOS prompt SEP completion EOS}; PAD fills the end of shorter rows in a batch.
 */
public final class Vocabulary implements Tokenizer {
  private static final long serialVersionUID = 1L;

  public static final int PAD = 0;
  public static final int BOS = 1;
  public static final int EOS = 2;
  /** Separates the prompt from the completion; the policy's first completion token follows it. */
  public static final int SEP = 3;
  public static final int UNK = 4;
  public static final int SPECIALS = 5;
  private static final String[] SPECIAL_NAMES = {"<pad>", "<bos>", "<eos>", "<sep>", "<unk>"};

  /** Code points of ids SPECIALS.., ascending. */
  private final int[] codePoints;

  private Vocabulary(int[] codePoints) {
    this.codePoints = codePoints;
  }

  /** The vocabulary of every character that occurs in the texts. */
  public static Vocabulary build(Iterable<String> texts) {
    TreeSet<Integer> seen = new TreeSet<>();
    for (String text : texts) {
      text.codePoints().forEach(seen::add);
    }
    return new Vocabulary(seen.stream().mapToInt(Integer::intValue).toArray());
  }

  public static Vocabulary ofCharacters(String characters) {
    return build(java.util.List.of(characters));
  }

  @Override
  public int size() {
    return SPECIALS + codePoints.length;
  }

  /** The characters of the vocabulary, in id order, as one string. */
  public String characters() {
    return new String(codePoints, 0, codePoints.length);
  }

  public boolean contains(int codePoint) {
    return Arrays.binarySearch(codePoints, codePoint) >= 0;
  }

  /** Token ids of the text's characters (no BOS/SEP/EOS added). */
  @Override
  public int[] encode(String text, UnknownCharacterMode unknown) {
    int[] cps = text.codePoints().toArray();
    int[] ids = new int[cps.length];
    for (int i = 0; i < cps.length; i++) {
      int index = Arrays.binarySearch(codePoints, cps[i]);
      if (index >= 0) {
        ids[i] = SPECIALS + index;
      } else if (unknown == UnknownCharacterMode.REPLACE) {
        ids[i] = UNK;
      } else {
        throw new UnknownCharacterException(cps[i], i, text);
      }
    }
    return ids;
  }

  /** {@code BOS prompt SEP}: the conditioning every completion of the prompt starts from. */
  @Override
  public int[] encodePrompt(String prompt, UnknownCharacterMode unknown) {
    int[] body = encode(prompt, unknown);
    int[] ids = new int[body.length + 2];
    ids[0] = BOS;
    System.arraycopy(body, 0, ids, 1, body.length);
    ids[ids.length - 1] = SEP;
    return ids;
  }

  /** The text of ids[from, to): characters only; special tokens are dropped, UNK shows as U+FFFD. */
  @Override
  public String decode(int[] ids, int from, int to) {
    StringBuilder sb = new StringBuilder(to - from);
    for (int i = from; i < to; i++) {
      int id = ids[i];
      if (id >= SPECIALS && id < size()) {
        sb.appendCodePoint(codePoints[id - SPECIALS]);
      } else if (id == UNK) {
        sb.append('\uFFFD');
      }
    }
    return sb.toString();
  }

  public String decode(int[] ids) {
    return decode(ids, 0, ids.length);
  }

  /** A readable name for any id, specials included (for logs and errors). */
  @Override
  public String tokenName(int id) {
    if (id < 0 || id >= size()) {
      throw new IllegalArgumentException("token id " + id + " outside the vocabulary of " + size());
    }
    return id < SPECIALS ? SPECIAL_NAMES[id] : new String(Character.toChars(codePoints[id - SPECIALS]));
  }

  @Override
  public int eosToken() {
    return EOS;
  }

  @Override
  public String kind() {
    return "characters";
  }

  @Override
  public int firstUnencodable(String text) {
    int[] cps = text.codePoints().toArray();
    for (int i = 0; i < cps.length; i++) {
      if (!contains(cps[i])) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public void writeTo(DataOutput out) throws IOException {
    out.writeInt(codePoints.length);
    for (int cp : codePoints) {
      out.writeInt(cp);
    }
  }

  public static Vocabulary readFrom(DataInput in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > Character.MAX_CODE_POINT) {
      throw new IOException("corrupt vocabulary: " + n + " characters");
    }
    int[] cps = new int[n];
    for (int i = 0; i < n; i++) {
      cps[i] = in.readInt();
      if (i > 0 && cps[i] <= cps[i - 1]) {
        throw new IOException("corrupt vocabulary: characters out of order at index " + i);
      }
    }
    return new Vocabulary(cps);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Vocabulary v && Arrays.equals(codePoints, v.codePoints);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(codePoints);
  }

  @Override
  public String toString() {
    return "Vocabulary(" + size() + " tokens)";
  }
}
