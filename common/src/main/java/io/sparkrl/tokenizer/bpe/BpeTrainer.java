package io.sparkrl.tokenizer.bpe;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Trains a byte-level BPE tokenizer as GPT-2's: the texts are cut by GPT-2's ByteLevel
 * pre-tokenizer (optionally after cutting out every digit on its own, as SmolLM's and Llama's
 * tokenizers do; special tokens written in the texts are cut out first and not counted), each piece's
 * UTF-8 bytes are mapped to the byte-level alphabet, and merges are learnt until the vocabulary
 * has {@code vocabSize} tokens or no pair occurs {@code minFrequency} times.
 *
 * <p>Ids: the special tokens first ({@code <|endoftext|>} = 0, the EOS, then the caller's extras
 * in the order given), then all 256 byte characters in code-point order (so every text encodes,
 * whatever characters it has), then one token per merge in the order learnt.
 *
 * <p>Each step merges the most frequent adjacent pair, counting a word as often as it occurs;
 * ties go to the pair with the smaller left id, then the smaller right id (the rule of Hugging
 * Face's trainer), which makes training deterministic. Pair counts are kept up to date
 * incrementally: a merge revisits only the words that hold the pair.
 *
 * <p>The result is written and re-read through {@code tokenizer.json}, with merges as
 * {@code "a b"} strings (which every version of Hugging Face's tokenizers reads).
 */
public final class BpeTrainer {
  public static final String END_OF_TEXT = "<|endoftext|>";

  private final int vocabSize;
  private final int minFrequency;
  private final List<String> specialTokens;
  private final boolean splitDigits;

  /** A trainer to the given vocabulary size, merging pairs seen at least twice, EOS only. */
  public BpeTrainer(int vocabSize) {
    this(vocabSize, 2, List.of(), false);
  }

  /** GPT-2's pre-tokenizer: digits may merge. */
  public BpeTrainer(int vocabSize, int minFrequency, List<String> extraSpecialTokens) {
    this(vocabSize, minFrequency, extraSpecialTokens, false);
  }

  /**
   * @param splitDigits cut every digit into a piece of its own before GPT-2's pre-tokenizer (a
   *     {@code Digits} pre-tokenizer with {@code individual_digits}, as SmolLM's and Llama's
   *     tokenizers do), so that no merge joins digits and a number is always spelt digit by digit
   */
  public BpeTrainer(int vocabSize, int minFrequency, List<String> extraSpecialTokens,
      boolean splitDigits) {
    LinkedHashSet<String> specials = new LinkedHashSet<>();
    specials.add(END_OF_TEXT);
    for (String s : extraSpecialTokens) {
      if (s == null || s.isEmpty()) {
        throw new IllegalArgumentException("empty special token");
      }
      specials.add(s);
    }
    if (vocabSize < specials.size() + 256) {
      throw new IllegalArgumentException("vocabulary size " + vocabSize + " is below the "
          + specials.size() + " special tokens + 256 bytes");
    }
    if (minFrequency < 1) {
      throw new IllegalArgumentException("minFrequency " + minFrequency + " < 1");
    }
    this.vocabSize = vocabSize;
    this.minFrequency = minFrequency;
    this.specialTokens = List.copyOf(specials);
    this.splitDigits = splitDigits;
  }

  public BpeTokenizer train(Iterable<String> texts) {
    return train(texts.iterator());
  }

  public BpeTokenizer train(Iterator<String> texts) {
    List<String> tokens = new ArrayList<>(specialTokens);
    Map<String, Integer> ids = new HashMap<>();
    for (int i = 0; i < tokens.size(); i++) {
      ids.put(tokens.get(i), i);
    }
    char[] alphabet = ByteLevel.alphabet().toCharArray();
    Arrays.sort(alphabet);
    for (char c : alphabet) {
      ids.put(String.valueOf(c), tokens.size());
      tokens.add(String.valueOf(c));
    }

    // Words and how often each occurs.
    List<AddedToken> specials = new ArrayList<>();
    for (int i = 0; i < specialTokens.size(); i++) {
      specials.add(AddedToken.special(i, specialTokens.get(i)));
    }
    AddedTokenSplitter splitter = new AddedTokenSplitter(specials);
    PreTokenizer pre = splitDigits ? PreTokenizer.digitsThenGpt2() : PreTokenizer.gpt2();
    Map<String, long[]> counts = new LinkedHashMap<>();
    List<AddedTokenSplitter.Piece> pieces = new ArrayList<>();
    while (texts.hasNext()) {
      pieces.clear();
      splitter.split(texts.next(), pieces);
      for (AddedTokenSplitter.Piece p : pieces) {
        if (!p.isToken()) {
          for (String w : pre.split(p.text())) {
            counts.computeIfAbsent(ByteLevel.encode(w), k -> new long[1])[0]++;
          }
        }
      }
    }
    int[][] words = new int[counts.size()][];
    long[] freq = new long[counts.size()];
    int w = 0;
    for (Map.Entry<String, long[]> e : counts.entrySet()) {
      String s = e.getKey();
      words[w] = new int[s.length()];
      for (int i = 0; i < s.length(); i++) {
        words[w][i] = ids.get(String.valueOf(s.charAt(i)));
      }
      freq[w++] = e.getValue()[0];
    }

    Map<Long, Pair> pairs = new HashMap<>();
    for (w = 0; w < words.length; w++) {
      for (int i = 0; i + 1 < words[w].length; i++) {
        pairs.computeIfAbsent(key(words[w][i], words[w][i + 1]), k -> new Pair()).add(freq[w], w);
      }
    }
    PriorityQueue<long[]> queue = new PriorityQueue<>(BpeTrainer::compare);
    pairs.forEach((k, p) -> queue.add(new long[] {p.count, k}));

    List<String[]> merges = new ArrayList<>();
    while (ids.size() < vocabSize && !queue.isEmpty()) {
      long[] top = queue.poll();
      Pair pair = pairs.get(top[1]);
      long current = pair == null ? 0 : pair.count;
      if (current != top[0]) {
        if (current > 0) {
          queue.add(new long[] {current, top[1]});
        }
        continue;
      }
      if (current < minFrequency) {
        break;
      }
      int a = (int) (top[1] >>> 32);
      int b = (int) top[1];
      String merged = tokens.get(a) + tokens.get(b);
      Integer existing = ids.get(merged);
      int c;
      if (existing != null) {
        c = existing;
      } else {
        c = tokens.size();
        tokens.add(merged);
        ids.put(merged, c);
      }
      merges.add(new String[] {tokens.get(a), tokens.get(b)});
      Map<Long, Boolean> touched = new LinkedHashMap<>();
      int[] holders = Arrays.copyOf(pair.words, pair.size);
      for (int h : holders) {
        int[] old = words[h];
        int[] updated = replace(old, a, b, c);
        if (updated == old) {
          continue; // a stale holder: the pair left this word in an earlier merge
        }
        for (int i = 0; i + 1 < old.length; i++) {
          pairs.get(key(old[i], old[i + 1])).count -= freq[h];
        }
        for (int i = 0; i + 1 < updated.length; i++) {
          long k = key(updated[i], updated[i + 1]);
          pairs.computeIfAbsent(k, x -> new Pair()).add(freq[h], h);
          if (updated[i] == c || updated[i + 1] == c) {
            touched.put(k, Boolean.TRUE);
          }
        }
        words[h] = updated;
      }
      pairs.remove(top[1]);
      for (long k : touched.keySet()) {
        Pair p = pairs.get(k);
        if (p != null && p.count > 0) {
          queue.add(new long[] {p.count, k});
        }
      }
    }
    return build(tokens, merges);
  }

  /** Count descending, then left id, then right id ascending. */
  private static int compare(long[] x, long[] y) {
    if (x[0] != y[0]) {
      return Long.compare(y[0], x[0]);
    }
    return Long.compare(x[1], y[1]); // key = left << 32 | right, ids non-negative
  }

  private static long key(int a, int b) {
    return ((long) a << 32) | b;
  }

  /** The word with each (a, b), left to right, replaced by c; the same array if it has none. */
  private static int[] replace(int[] word, int a, int b, int c) {
    int[] out = null;
    int n = 0;
    for (int i = 0; i < word.length; i++) {
      if (i + 1 < word.length && word[i] == a && word[i + 1] == b) {
        if (out == null) {
          out = new int[word.length - 1];
          System.arraycopy(word, 0, out, 0, i);
          n = i;
        }
        out[n++] = c;
        i++;
      } else if (out != null) {
        out[n++] = word[i];
      }
    }
    return out == null ? word : Arrays.copyOf(out, n);
  }

  private static final class Pair {
    long count;
    int[] words = new int[2];
    int size;

    void add(long f, int word) {
      count += f;
      if (size == 0 || words[size - 1] != word) {
        if (size == words.length) {
          words = Arrays.copyOf(words, size * 2);
        }
        words[size++] = word;
      }
    }
  }

  private BpeTokenizer build(List<String> tokens, List<String[]> merges) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode root = f.objectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    ArrayNode added = root.putArray("added_tokens");
    for (int i = 0; i < specialTokens.size(); i++) {
      added.addObject().put("id", i).put("content", specialTokens.get(i)).put("single_word", false)
          .put("lstrip", false).put("rstrip", false).put("normalized", false).put("special", true);
    }
    root.putNull("normalizer");
    ObjectNode byteLevel = f.objectNode().put("type", "ByteLevel").put("add_prefix_space", false)
        .put("trim_offsets", true).put("use_regex", true);
    if (splitDigits) {
      ObjectNode sequence = root.putObject("pre_tokenizer").put("type", "Sequence");
      ArrayNode steps = sequence.putArray("pretokenizers");
      steps.addObject().put("type", "Digits").put("individual_digits", true);
      steps.add(byteLevel);
    } else {
      root.set("pre_tokenizer", byteLevel);
    }
    root.putObject("post_processor").put("type", "ByteLevel").put("add_prefix_space", true)
        .put("trim_offsets", false).put("use_regex", true);
    root.putObject("decoder").put("type", "ByteLevel").put("add_prefix_space", true)
        .put("trim_offsets", true).put("use_regex", true);
    ObjectNode model = root.putObject("model");
    model.put("type", "BPE").putNull("dropout").putNull("unk_token");
    model.putNull("continuing_subword_prefix").putNull("end_of_word_suffix");
    model.put("fuse_unk", false).put("byte_fallback", false).put("ignore_merges", false);
    ObjectNode vocab = model.putObject("vocab");
    for (int i = 0; i < tokens.size(); i++) {
      vocab.put(tokens.get(i), i);
    }
    ArrayNode m = model.putArray("merges");
    for (String[] pair : merges) {
      m.add(pair[0] + " " + pair[1]);
    }
    try {
      byte[] json = new ObjectMapper().writeValueAsBytes(root);
      return BpeTokenizer.read("trained tokenizer.json", new ByteArrayInputStream(json));
    } catch (IOException e) {
      throw new UncheckedIOException("the trained tokenizer did not read back", e);
    }
  }
}
