package io.sparkrl.tokenizer.bpe;

import io.sparkrl.tokenizer.UnknownCharacterMode;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The BPE model: a vocabulary and ranked merges. A word (one pre-tokenized piece, already in the
 * byte-level alphabet) starts as one symbol per character; then, again and again, the adjacent
 * pair whose merge has the lowest rank (the earliest line of {@code merges}) is merged, the
 * leftmost such pair first, until no adjacent pair has a merge. With {@code ignore_merges}
 * (Llama 3), a word that is itself in the vocabulary is taken whole without merging.
 *
 * <p>A character with no token of its own becomes its UTF-8 bytes' {@code <0xNN>} tokens when
 * {@code byte_fallback} is set, else the {@code unk_token}, else an error. (A byte-level
 * vocabulary has all 256 byte characters, so neither happens there.)
 *
 * <p>Only the vocabulary and the merges are serialized; the lookup tables and the word cache are
 * rebuilt on arrival.
 */
final class BpeModel implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final int CACHE_LIMIT = 100_000;
  private static final int CACHE_MAX_WORD = 64;

  /** Token of each id, null for an id the model does not own (an added token's). */
  final String[] tokens;
  final int[] mergeLeft;
  final int[] mergeRight;
  final boolean ignoreMerges;
  final boolean byteFallback;
  final String unkToken;

  private transient Map<String, Integer> ids;
  private transient PairTable ranks;
  private transient int[] mergeResult;
  private transient int[] charIds;
  private transient int unkId;
  private transient Map<String, int[]> cache;

  BpeModel(String[] tokens, int[] mergeLeft, int[] mergeRight, boolean ignoreMerges,
      boolean byteFallback, String unkToken) {
    this.tokens = tokens;
    this.mergeLeft = mergeLeft;
    this.mergeRight = mergeRight;
    this.ignoreMerges = ignoreMerges;
    this.byteFallback = byteFallback;
    this.unkToken = unkToken;
    index();
  }

  /** A model from the vocabulary and merges as strings, checked (errors name the source). */
  static BpeModel of(String source, Map<String, Integer> vocab, List<String[]> merges,
      boolean ignoreMerges, boolean byteFallback, String unkToken) throws TokenizerFormatException {
    int size = 0;
    for (Map.Entry<String, Integer> e : vocab.entrySet()) {
      if (e.getValue() < 0) {
        throw new TokenizerFormatException(source, "model.vocab: token \"" + e.getKey()
            + "\" has a negative id " + e.getValue());
      }
      size = Math.max(size, e.getValue() + 1);
    }
    String[] tokens = new String[size];
    for (Map.Entry<String, Integer> e : vocab.entrySet()) {
      if (tokens[e.getValue()] != null) {
        throw new TokenizerFormatException(source, "model.vocab: id " + e.getValue()
            + " is given to both \"" + tokens[e.getValue()] + "\" and \"" + e.getKey() + "\"");
      }
      tokens[e.getValue()] = e.getKey();
    }
    int[] left = new int[merges.size()];
    int[] right = new int[merges.size()];
    for (int r = 0; r < merges.size(); r++) {
      String[] m = merges.get(r);
      Integer a = vocab.get(m[0]);
      Integer b = vocab.get(m[1]);
      if (a == null || b == null || !vocab.containsKey(m[0] + m[1])) {
        String missing = a == null ? m[0] : b == null ? m[1] : m[0] + m[1];
        throw new TokenizerFormatException(source, "model.merges[" + r + "] (\"" + m[0] + "\", \""
            + m[1] + "\"): \"" + missing + "\" is not in the vocabulary");
      }
      left[r] = a;
      right[r] = b;
    }
    if (unkToken != null && !vocab.containsKey(unkToken)) {
      throw new TokenizerFormatException(source, "model.unk_token \"" + unkToken + "\" is not in the vocabulary");
    }
    return new BpeModel(tokens, left, right, ignoreMerges, byteFallback, unkToken);
  }

  private void index() {
    ids = new HashMap<>(tokens.length * 2);
    for (int i = 0; i < tokens.length; i++) {
      if (tokens[i] != null) {
        ids.put(tokens[i], i);
      }
    }
    ranks = new PairTable(mergeLeft.length);
    mergeResult = new int[mergeLeft.length];
    for (int r = mergeLeft.length - 1; r >= 0; r--) { // the first of duplicate merges wins
      ranks.put(mergeLeft[r], mergeRight[r], r);
      mergeResult[r] = ids.get(tokens[mergeLeft[r]] + tokens[mergeRight[r]]);
    }
    charIds = new int[0x200];
    for (int c = 0; c < charIds.length; c++) {
      charIds[c] = ids.getOrDefault(String.valueOf((char) c), -1);
    }
    unkId = unkToken == null ? -1 : ids.get(unkToken);
    cache = new ConcurrentHashMap<>();
  }

  private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
    in.defaultReadObject();
    index();
  }

  int size() {
    return tokens.length;
  }

  /** The id of a token of the model's vocabulary, or -1. */
  int id(String token) {
    return ids.getOrDefault(token, -1);
  }

  /** Appends the ids of one pre-tokenized word. */
  void encodeWord(String word, IntList out, UnknownCharacterMode unknown) {
    if (ignoreMerges) {
      Integer whole = ids.get(word);
      if (whole != null) {
        out.add(whole);
        return;
      }
    }
    int[] cached = word.length() <= CACHE_MAX_WORD ? cache.get(word) : null;
    if (cached == null) {
      cached = merge(word, unknown);
      if (word.length() <= CACHE_MAX_WORD) {
        if (cache.size() >= CACHE_LIMIT) {
          cache.clear();
        }
        cache.put(word, cached);
      }
    }
    out.addAll(cached);
  }

  private int[] merge(String word, UnknownCharacterMode unknown) {
    IntList symbols = new IntList(word.length());
    for (int i = 0; i < word.length(); ) {
      int cp = word.codePointAt(i);
      int n = Character.charCount(cp);
      int id = cp < charIds.length ? charIds[cp] : ids.getOrDefault(word.substring(i, i + n), -1);
      if (id >= 0) {
        symbols.add(id);
      } else {
        unknownSymbol(word, i, cp, symbols, unknown);
      }
      i += n;
    }
    int n = symbols.size();
    int[] sym = symbols.toArray();
    if (n < 2) {
      return sym;
    }
    int[] next = new int[n];
    int[] prev = new int[n];
    for (int i = 0; i < n; i++) {
      next[i] = i + 1 < n ? i + 1 : -1;
      prev[i] = i - 1;
    }
    LongHeap heap = new LongHeap(n);
    for (int i = 0; i + 1 < n; i++) {
      int r = ranks.get(sym[i], sym[i + 1]);
      if (r >= 0) {
        heap.push(((long) r << 32) | i);
      }
    }
    while (!heap.isEmpty()) {
      long e = heap.pop();
      int rank = (int) (e >>> 32);
      int pos = (int) e;
      int nx = sym[pos] < 0 ? -1 : next[pos];
      if (nx < 0 || ranks.get(sym[pos], sym[nx]) != rank) {
        continue; // stale: a symbol of this pair was merged since
      }
      sym[pos] = mergeResult[rank];
      sym[nx] = -1;
      next[pos] = next[nx];
      if (next[pos] >= 0) {
        prev[next[pos]] = pos;
      }
      if (prev[pos] >= 0) {
        int r = ranks.get(sym[prev[pos]], sym[pos]);
        if (r >= 0) {
          heap.push(((long) r << 32) | prev[pos]);
        }
      }
      if (next[pos] >= 0) {
        int r = ranks.get(sym[pos], sym[next[pos]]);
        if (r >= 0) {
          heap.push(((long) r << 32) | pos);
        }
      }
    }
    IntList merged = new IntList(n);
    for (int i = 0; i >= 0; i = next[i]) {
      merged.add(sym[i]);
    }
    return merged.toArray();
  }

  private void unknownSymbol(String word, int index, int cp, IntList symbols, UnknownCharacterMode unknown) {
    if (byteFallback) {
      byte[] bytes = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
      int[] byteIds = new int[bytes.length];
      boolean all = true;
      for (int k = 0; k < bytes.length; k++) {
        byteIds[k] = id(String.format("<0x%02X>", bytes[k] & 0xFF));
        all &= byteIds[k] >= 0;
      }
      if (all) {
        symbols.addAll(byteIds);
        return;
      }
    }
    if (unkId >= 0 && unknown == UnknownCharacterMode.REPLACE) {
      symbols.add(unkId);
      return;
    }
    throw new IllegalArgumentException(String.format("character '%s' (U+%04X) at index %d of the"
        + " pre-tokenized piece \"%s\" has no token%s", new String(Character.toChars(cp)), cp,
        index, word, unkId >= 0 ? " (use REPLACE to map it to the unk token)" : ", and the"
            + " vocabulary has no byte fallback and no unk token"));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BpeModel m && Arrays.equals(tokens, m.tokens)
        && Arrays.equals(mergeLeft, m.mergeLeft) && Arrays.equals(mergeRight, m.mergeRight)
        && ignoreMerges == m.ignoreMerges && byteFallback == m.byteFallback
        && java.util.Objects.equals(unkToken, m.unkToken);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(tokens) * 31 + Arrays.hashCode(mergeLeft);
  }

  /** Open addressing from an id pair to its merge rank. */
  private static final class PairTable {
    private final long[] keys;
    private final int[] values;
    private final int mask;

    PairTable(int entries) {
      int capacity = Integer.highestOneBit(Math.max(4, entries * 2 + 1) - 1) << 1;
      keys = new long[capacity];
      Arrays.fill(keys, -1L);
      values = new int[capacity];
      mask = capacity - 1;
    }

    private static long key(int a, int b) {
      return ((long) a << 32) | (b & 0xFFFFFFFFL);
    }

    private int slot(long key) {
      long h = key * 0x9E3779B97F4A7C15L;
      return (int) (h ^ (h >>> 29)) & mask;
    }

    void put(int a, int b, int value) {
      long k = key(a, b);
      int s = slot(k);
      while (keys[s] != -1L && keys[s] != k) {
        s = (s + 1) & mask;
      }
      keys[s] = k;
      values[s] = value;
    }

    int get(int a, int b) {
      if (a < 0 || b < 0) {
        return -1;
      }
      long k = key(a, b);
      for (int s = slot(k); ; s = (s + 1) & mask) {
        if (keys[s] == k) {
          return values[s];
        }
        if (keys[s] == -1L) {
          return -1;
        }
      }
    }
  }

  /** A binary min-heap of longs. */
  private static final class LongHeap {
    private long[] a;
    private int n;

    LongHeap(int capacity) {
      a = new long[Math.max(4, capacity)];
    }

    boolean isEmpty() {
      return n == 0;
    }

    void push(long v) {
      if (n == a.length) {
        a = Arrays.copyOf(a, n * 2);
      }
      int i = n++;
      while (i > 0) {
        int p = (i - 1) >>> 1;
        if (a[p] <= v) {
          break;
        }
        a[i] = a[p];
        i = p;
      }
      a[i] = v;
    }

    long pop() {
      long top = a[0];
      long last = a[--n];
      int i = 0;
      while (true) {
        int c = 2 * i + 1;
        if (c >= n) {
          break;
        }
        if (c + 1 < n && a[c + 1] < a[c]) {
          c++;
        }
        if (a[c] >= last) {
          break;
        }
        a[i] = a[c];
        i = c;
      }
      if (n > 0) {
        a[i] = last;
      }
      return top;
    }
  }
}
