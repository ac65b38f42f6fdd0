package io.sparkrl.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sparkrl.policy.PolicySnapshot;
import io.sparkrl.policy.transformer.TransformerArchitecture;
import io.sparkrl.policy.transformer.TransformerInit;
import io.sparkrl.policy.transformer.TransformerShape;
import io.sparkrl.tokenizer.bpe.BpeTokenizer;
import io.sparkrl.tokenizer.bpe.BpeTrainer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Prompt templates encode the rendered text as one (special tokens in the template become their
 * ids), padded ids have no text, and a framed tokenizer travels in a policy file unchanged.
 */
class FramedTokenizerTest {
  private static final BpeTokenizer BPE = new BpeTrainer(300, 2, List.of("<|im_start|>",
      "<|im_end|>")).train(List.of("How much is 3+4? The answer is 7.",
      "How much is 5+1? The answer is 6."));
  private static final String CHAT = "<|im_start|>user\n{prompt}<|im_end|>\n<|im_start|>assistant\n";

  @Test
  void templateWrapsThePromptAsOneText() {
    Tokenizer t = FramedTokenizer.of(BPE, BPE.size(), CHAT, null);
    int[] ids = t.encodePrompt("How much is 2+2?", UnknownCharacterMode.ERROR);
    assertArrayEquals(BPE.encode(CHAT.replace("{prompt}", "How much is 2+2?"),
        UnknownCharacterMode.ERROR), ids);
    assertEquals(BPE.idOf("<|im_start|>"), ids[0]);
    assertEquals("<|im_start|>", t.tokenName(ids[0]));
    assertArrayEquals(BPE.encode("How", UnknownCharacterMode.ERROR),
        t.encode("How", UnknownCharacterMode.ERROR));
  }

  @Test
  void nothingToAddIsTheTokenizerItself() {
    assertSame(BPE, FramedTokenizer.of(BPE, BPE.size(), "", null));
    assertSame(BPE, FramedTokenizer.base(FramedTokenizer.of(BPE, BPE.size() + 3, null, null)));
  }

  @Test
  void templatesNeedThePlaceholderOnce() {
    assertThrows(IllegalArgumentException.class, () -> FramedTokenizer.checkTemplate("Q: A:"));
    assertThrows(IllegalArgumentException.class,
        () -> FramedTokenizer.checkTemplate("{prompt} and {prompt}"));
    assertThrows(IllegalArgumentException.class, () -> FramedTokenizer.of(BPE, BPE.size() - 1,
        null, null));
  }

  @Test
  void paddedIdsHaveNoText() {
    Tokenizer t = FramedTokenizer.of(BPE, BPE.size() + 4, null, null);
    assertEquals(BPE.size() + 4, t.size());
    assertEquals("<padding " + (BPE.size() + 1) + ">", t.tokenName(BPE.size() + 1));
    int[] ids = BPE.encode("The answer", UnknownCharacterMode.ERROR);
    int[] withPadding = new int[ids.length + 1];
    System.arraycopy(ids, 0, withPadding, 1, ids.length);
    withPadding[0] = BPE.size() + 2;
    assertEquals("The answer", t.decode(withPadding, 0, withPadding.length));
  }

  @Test
  void travelsInAPolicyFile() throws IOException {
    Tokenizer t = FramedTokenizer.of(BPE.withEos("<|im_end|>"), BPE.size() + 2, CHAT,
        "{\"eos_token\": \"<|im_end|>\"}");
    TransformerShape shape = TransformerShape.llama(t.size(), 1, 8, 2, 1, 12, 32, 10000, 1e-5,
        false, true);
    PolicySnapshot policy = new PolicySnapshot(new TransformerArchitecture(shape),
        TransformerInit.parameters(shape, 3), t, 5);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    policy.writeTo(out);
    PolicySnapshot back = PolicySnapshot.readFrom(new ByteArrayInputStream(out.toByteArray()));
    assertEquals(t, back.tokenizer());
    assertEquals(CHAT, FramedTokenizer.templateOf(back.tokenizer()));
    assertEquals(BPE.idOf("<|im_end|>"), back.tokenizer().eosToken());
    assertEquals("{\"eos_token\": \"<|im_end|>\"}",
        FramedTokenizer.tokenizerConfigOf(back.tokenizer()));
  }
}
