package io.sparkrl.tokenizer.bpe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkrl.tokenizer.UnknownCharacterMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BpeTrainerTest {
  private static final List<String> HUGS = List.of("hug", "hug", "pug", "pun", "hugs");

  private static List<String> merges(BpeTokenizer t) throws Exception {
    JsonNode m = new ObjectMapper().readTree(t.toJson()).get("model").get("merges");
    List<String> out = new ArrayList<>();
    m.forEach(x -> out.add(x.asText()));
    return out;
  }

  /**
   * By hand: hug×2, pug, pun, hugs. (u,g) occurs 4 times, then (h,ug) 3 times; every other pair
   * once, so minFrequency 2 stops there. With minFrequency 1, ties go to the smaller left id, then
   * right id: p < u (bytes) < ug (257) < hug (258) < pu (259).
   */
  @Test
  void learnsTheHandCheckedMerges() throws Exception {
    assertEquals(List.of("u g", "h ug"), merges(new BpeTrainer(1000).train(HUGS)));
    BpeTokenizer all = new BpeTrainer(1000, 1, List.of()).train(HUGS);
    assertEquals(List.of("u g", "h ug", "p u", "p ug", "hug s", "pu n"), merges(all));
    assertEquals(1 + 256 + 6, all.size());
    assertEquals(0, all.eosToken());
    assertEquals(BpeTrainer.END_OF_TEXT, all.tokenName(0));
    assertArrayEquals(new int[] {all.idOf("hug"), all.idOf("pun")},
        all.encode("hugpun", UnknownCharacterMode.ERROR));
  }

  @Test
  void respectsTheVocabularySize() throws Exception {
    BpeTokenizer t = new BpeTrainer(1 + 256 + 3, 1, List.of()).train(HUGS);
    assertEquals(260, t.size());
    assertEquals(List.of("u g", "h ug", "p u"), merges(t));
    assertThrows(IllegalArgumentException.class, () -> new BpeTrainer(200));
  }

  /**
   * With split digits no merge joins two digits, a number encodes digit by digit, and the written
   * tokenizer.json (Digits with individual_digits, then ByteLevel) reads back to the same ids.
   * Without, the same corpus merges digit pairs (the check could fail).
   */
  @Test
  void splitDigitsKeepsEveryDigitItsOwnToken() throws Exception {
    List<String> texts = new ArrayList<>();
    Random r = new Random(3);
    for (int i = 0; i < 400; i++) {
      int a = r.nextInt(100);
      int b = r.nextInt(100);
      texts.add("How much is " + a + "+" + b + "? The answer is " + (a + b) + ".");
    }
    BpeTokenizer merged = new BpeTrainer(400, 2, List.of(), false).train(texts);
    assertTrue(merges(merged).stream().anyMatch(m -> m.matches("[0-9]+ [0-9]+")),
        "without split digits, digit pairs merge: " + merges(merged));
    BpeTokenizer split = new BpeTrainer(400, 2, List.of(), true).train(texts);
    for (String m : merges(split)) {
      assertTrue(!m.matches(".*[0-9].*"), "a merge with a digit: " + m);
    }
    int[] ids = split.encode("How much is 58+67? The answer is 125.", UnknownCharacterMode.ERROR);
    List<String> pieces = new ArrayList<>();
    for (int id : ids) {
      pieces.add(split.tokenName(id));
    }
    assertTrue(pieces.containsAll(List.of("5", "8", "6", "7", "1", "2")), pieces.toString());
    JsonNode pre = new ObjectMapper().readTree(split.toJson()).get("pre_tokenizer");
    assertEquals("Sequence", pre.get("type").asText());
    assertEquals("Digits", pre.get("pretokenizers").get(0).get("type").asText());
    assertTrue(pre.get("pretokenizers").get(0).get("individual_digits").asBoolean());
    BpeTokenizer reread = BpeTokenizer.read("reread", new java.io.ByteArrayInputStream(
        split.toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    for (String t : texts.subList(0, 50)) {
      assertArrayEquals(split.encode(t, UnknownCharacterMode.ERROR),
          reread.encode(t, UnknownCharacterMode.ERROR), t);
    }
  }

  /** Short texts of made-up words (syllables), a few fixed words and punctuation. */
  private static List<String> corpus(int n, long seed) {
    String[] syllables = {"ka", "lo", "mi", "ren", "sto", "pa", "vel", "qui", "dor", "an", "te",
        "bri", "xo", "nu", "ge", "ha", "sil", "ome", "tra", "wy"};
    String[] words = {"the", "policy", "reward", "café", "naïve", "数据", "学习", "1234", "don't", "it's"};
    Random r = new Random(seed);
    List<String> texts = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      StringBuilder sb = new StringBuilder();
      int len = 3 + r.nextInt(10);
      for (int k = 0; k < len; k++) {
        sb.append(k == 0 ? "" : r.nextInt(20) == 0 ? "\n" : " ");
        if (r.nextInt(4) == 0) {
          sb.append(words[r.nextInt(words.length)]);
        } else {
          for (int s = 1 + r.nextInt(3); s > 0; s--) {
            sb.append(syllables[(int) Math.min(syllables.length - 1, Math.abs(r.nextGaussian()) * 6)]);
          }
        }
        if (r.nextInt(8) == 0) {
          sb.append(r.nextBoolean() ? "," : ".");
        }
      }
      texts.add(sb.toString());
    }
    return texts;
  }

  @Test
  void isDeterministicAndEncodesUnseenTextIncludingUnseenCharacters() throws Exception {
    List<String> texts = corpus(3000, 7);
    BpeTokenizer a = new BpeTrainer(600, 2, List.of("<|pad|>")).train(texts);
    BpeTokenizer b = new BpeTrainer(600, 2, List.of("<|pad|>")).train(texts.iterator());
    assertEquals(a.toJson(), b.toJson());
    assertEquals(600, a.size());
    assertEquals(1, a.idOf("<|pad|>"));
    String unseen = "Zebra 🙂 Ωmega\tqx\n\n  日本語 ‽ 99999";
    int[] ids = a.encode(unseen, UnknownCharacterMode.ERROR);
    assertEquals(unseen, a.decode(ids));
    int[] withSpecial = a.encode("the<|endoftext|>policy<|pad|>", UnknownCharacterMode.ERROR);
    assertArrayEquals(new int[] {a.idOf("the"), 0, a.idOf("policy"), 1}, withSpecial);
    assertTrue(a.encode("the policy reward", UnknownCharacterMode.ERROR).length <= 3,
        "frequent words became single tokens");
    assertEquals(a, BpeTokenizer.fromJson("again", a.toJson()));
  }

  @Test
  void trainsFiftyThousandShortTextsToTwoThousandTokensQuickly() {
    List<String> texts = corpus(50_000, 11);
    long start = System.nanoTime();
    BpeTokenizer t = new BpeTrainer(2000).train(texts);
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("trainer: 50000 texts -> %d tokens in %.2f s%n", t.size(), seconds);
    assertEquals(2000, t.size());
    assertTrue(seconds < 60, "took " + seconds + " s");

    StringBuilder sb = new StringBuilder();
    for (String s : texts) {
      sb.append(s).append('\n');
    }
    String all = sb.toString();
    start = System.nanoTime();
    int[] ids = t.encode(all, UnknownCharacterMode.ERROR);
    seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("encode: %d chars -> %d tokens in %.3f s (%.1f MB/s)%n", all.length(), ids.length,
        seconds, all.length() / seconds / 1e6);
    assertEquals(all, t.decode(ids));
  }
}
