package io.sparkrl.tokenizer.bpe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrl.tokenizer.UnknownCharacterMode;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/** Invalid tokenizer files are refused with the file and the problem named; configs are read. */
class BpeTokenizerErrorsTest {
  private static final String BYTE_LEVEL = "\"pre_tokenizer\":{\"type\":\"ByteLevel\"},\"decoder\":{\"type\":\"ByteLevel\"}";

  private static void assertRefused(String json, String... parts) {
    TokenizerFormatException e = assertThrows(TokenizerFormatException.class,
        () -> BpeTokenizer.fromJson("my/tokenizer.json", json));
    assertTrue(e.getMessage().startsWith("my/tokenizer.json: "), e.getMessage());
    for (String part : parts) {
      assertTrue(e.getMessage().contains(part), "wanted \"" + part + "\" in: " + e.getMessage());
    }
  }

  @Test
  void refusesInvalidFiles() {
    assertRefused("{\"model\": ", "not valid JSON");
    assertRefused("[1, 2]", "not a JSON object");
    assertRefused("{\"version\":\"1.0\"}", "no \"model\"");
    assertRefused("{\"model\":{\"type\":\"WordPiece\",\"vocab\":{}}}", "model.type \"WordPiece\"");
    assertRefused("{\"model\":{\"type\":\"Unigram\",\"vocab\":[]}}", "Unigram");
    assertRefused("{\"pre_tokenizer\":{\"type\":\"Metaspace\"},\"model\":{\"type\":\"BPE\",\"vocab\":{},\"merges\":[]}}",
        "unsupported pre_tokenizer type \"Metaspace\"");
    assertRefused("{\"pre_tokenizer\":null,\"model\":{\"type\":\"BPE\",\"vocab\":{},\"merges\":[]}}",
        "no ByteLevel step");
    assertRefused("{" + BYTE_LEVEL + ",\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0,\"b\":1},\"merges\":[\"a b\"]}}",
        "model.merges[0]", "\"ab\" is not in the vocabulary");
    assertRefused("{" + BYTE_LEVEL + ",\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0},\"merges\":[\"a\"]}}",
        "model.merges[0] is neither");
    assertRefused("{\"normalizer\":{\"type\":\"BertNormalizer\"}," + BYTE_LEVEL
        + ",\"model\":{\"type\":\"BPE\",\"vocab\":{},\"merges\":[]}}", "unsupported normalizer type \"BertNormalizer\"");
    assertRefused("{\"pre_tokenizer\":{\"type\":\"ByteLevel\"},\"decoder\":{\"type\":\"WordPiece\"},"
        + "\"model\":{\"type\":\"BPE\",\"vocab\":{},\"merges\":[]}}", "decoder \"WordPiece\"");
  }

  @Test
  void bothMergeFormatsReadTheSame() throws IOException {
    String vocab = "{\"a\":0,\"b\":1,\"c\":2,\"ab\":3,\"abc\":4}";
    BpeTokenizer strings = BpeTokenizer.fromJson("s", "{" + BYTE_LEVEL
        + ",\"model\":{\"type\":\"BPE\",\"vocab\":" + vocab + ",\"merges\":[\"a b\",\"ab c\"]}}");
    BpeTokenizer pairs = BpeTokenizer.fromJson("p", "{" + BYTE_LEVEL
        + ",\"model\":{\"type\":\"BPE\",\"vocab\":" + vocab + ",\"merges\":[[\"a\",\"b\"],[\"ab\",\"c\"]]}}");
    assertArrayEquals(new int[] {4, 3}, strings.encode("abcab", UnknownCharacterMode.ERROR));
    assertArrayEquals(new int[] {4, 3}, pairs.encode("abcab", UnknownCharacterMode.ERROR));
    // A character with no token, no byte fallback and no unk token: an error naming it.
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> strings.encode("abd", UnknownCharacterMode.ERROR));
    assertTrue(e.getMessage().contains("'d'"), e.getMessage());
    assertThrows(IllegalStateException.class, strings::eosToken, "no conventional EOS in this vocabulary");
    assertEquals(2, strings.withEos("c").eosToken());
  }

  @Test
  void ignoreMergesTakesAWordInTheVocabularyWhole() throws IOException {
    // "abc" is in the vocabulary, but no merge sequence builds it from a, b, c ("b c" then "a bc"
    // would; only "a b" exists, and "ab c" does not).
    String model = ",\"model\":{\"type\":\"BPE\",\"ignore_merges\":%s,\"vocab\":"
        + "{\"a\":0,\"b\":1,\"c\":2,\"ab\":3,\"abc\":4},\"merges\":[\"a b\"]}}";
    BpeTokenizer merging = BpeTokenizer.fromJson("m", "{" + BYTE_LEVEL + String.format(model, "false"));
    BpeTokenizer whole = BpeTokenizer.fromJson("w", "{" + BYTE_LEVEL + String.format(model, "true"));
    assertArrayEquals(new int[] {3, 2}, merging.encode("abc", UnknownCharacterMode.ERROR));
    assertArrayEquals(new int[] {4}, whole.encode("abc", UnknownCharacterMode.ERROR));
  }

  @Test
  void byteFallbackSpellsAnUnknownCharacterInBytes() throws IOException {
    BpeTokenizer t = BpeTokenizer.fromJson("f", "{" + BYTE_LEVEL + ",\"model\":{\"type\":\"BPE\","
        + "\"byte_fallback\":true,\"vocab\":{\"a\":0,\"<0xC3>\":1,\"<0x83>\":2,\"<0xC2>\":3,\"<0xA9>\":4},\"merges\":[]}}");
    // "é" is bytes C3 A9, mapped by ByteLevel to "Ã©", which have no tokens: the fallback spells
    // the mapped characters' own UTF-8 bytes, Ã = C3 83 and © = C2 A9 (as Hugging Face's does).
    int[] ids = t.encode("a", UnknownCharacterMode.ERROR);
    assertArrayEquals(new int[] {0}, ids);
    assertArrayEquals(new int[] {1, 2, 3, 4}, t.encode("\u00e9", UnknownCharacterMode.ERROR));
  }

  @Test
  void tokenizerConfigGivesEosBosAndTheChatTemplate() throws IOException {
    TokenizerConfig qwen;
    try (InputStream in = BpeParityTest.resource("qwen3.tokenizer_config.json")) {
      qwen = TokenizerConfig.read("qwen3/tokenizer_config.json", in);
    }
    assertEquals("<|im_end|>", qwen.eosToken());
    assertNull(qwen.bosToken());
    assertEquals(Boolean.FALSE, qwen.addBosToken());
    assertTrue(qwen.chatTemplate().contains("<|im_start|>"));
    BpeTokenizer t = BpeParityTest.load("qwen3");
    assertEquals("<|endoftext|>", t.tokenName(t.eosToken()), "the conventional default");
    BpeTokenizer configured = t.withConfig(qwen);
    assertEquals(151645, configured.eosToken());
    assertArrayEquals(t.encode("Hi", UnknownCharacterMode.ERROR), configured.encodePrompt("Hi", UnknownCharacterMode.ERROR));

    TokenizerConfig llama;
    try (InputStream in = BpeParityTest.resource("llama3.tokenizer_config.json")) {
      llama = TokenizerConfig.read("llama3/tokenizer_config.json", in);
    }
    assertEquals("<|end_of_text|>", llama.eosToken());
    assertEquals("<|begin_of_text|>", llama.bosToken());
    BpeTokenizer l = BpeParityTest.load("llama3");
    assertEquals(128001, l.withConfig(llama).eosToken());
    BpeTokenizer withBos = l.withConfig(new TokenizerConfig(null, "<|begin_of_text|>", true, null, null, java.util.Map.of()));
    int[] prompt = withBos.encodePrompt("Hi", UnknownCharacterMode.ERROR);
    assertEquals(128000, prompt[0]);
    assertEquals(prompt.length - 1, l.encode("Hi", UnknownCharacterMode.ERROR).length);

    TokenizerFormatException bad = assertThrows(TokenizerFormatException.class, () -> TokenizerConfig.read(
        "x/tokenizer_config.json", new java.io.ByteArrayInputStream("{\"eos_token\": 5}".getBytes())));
    assertTrue(bad.getMessage().startsWith("x/tokenizer_config.json: eos_token"), bad.getMessage());
  }

  @Test
  void templateProcessingPutsBosBeforeThePrompt() throws IOException {
    BpeTokenizer t = BpeTokenizer.fromJson("t", "{\"added_tokens\":[{\"id\":2,\"content\":\"<s>\",\"special\":true}],"
        + BYTE_LEVEL + ",\"post_processor\":{\"type\":\"TemplateProcessing\",\"single\":[{\"SpecialToken\":"
        + "{\"id\":\"<s>\",\"type_id\":0}},{\"Sequence\":{\"id\":\"A\",\"type_id\":0}}],\"special_tokens\":"
        + "{\"<s>\":{\"id\":\"<s>\",\"ids\":[2],\"tokens\":[\"<s>\"]}}},"
        + "\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0,\"b\":1},\"merges\":[]}}");
    assertArrayEquals(new int[] {2, 0, 1}, t.encodePrompt("ab", UnknownCharacterMode.ERROR));
    assertArrayEquals(new int[] {0, 2, 1}, t.encode("a<s>b", UnknownCharacterMode.ERROR));
    assertEquals("ab", t.decode(new int[] {0, 2, 1}), "special tokens are dropped");
    assertEquals(t, BpeTokenizer.fromJson("again", t.toJson()));
  }
}
