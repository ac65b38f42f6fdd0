package io.sparkrl.policy.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** TransformerShape's validation and JSON form, TransformerLayout's blocks, TransformerInit. */
class TransformerShapeTest {
  @Test
  void jsonRoundTripsEveryShapeWithStableKeys() throws Exception {
    for (TransformerShape s : TinyTransformers.all()) {
      assertEquals(s, TransformerShape.fromJson(s.toJson()));
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
        out.writeObject(s);
      }
      try (ObjectInputStream in =
          new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
        assertEquals(s, in.readObject());
      }
    }
    assertEquals("{\"family\":\"llama\",\"vocabulary_size\":7,\"layers\":2,\"model_width\":16,"
        + "\"heads\":4,\"kv_heads\":2,\"mlp_width\":12,\"max_positions\":32,\"rope_theta\":10000.0,"
        + "\"norm_epsilon\":1.0E-5,\"attention_bias\":true,\"tied_head\":false}",
        TinyTransformers.llamaGqaBiasUntied().toJson());
  }

  @Test
  void badJsonIsNamed() {
    String good = TinyTransformers.gpt2().toJson();
    assertMessage("unknown transformer shape key 'extra'",
        () -> TransformerShape.fromJson(good.replace("{", "{\"extra\":1,")));
    assertMessage("lacks 'heads'",
        () -> TransformerShape.fromJson(good.replace("\"heads\":2,", "")));
    assertMessage("unknown transformer family 'bert'",
        () -> TransformerShape.fromJson(good.replace("\"gpt2\"", "\"bert\"")));
    assertMessage("'layers' must be an int",
        () -> TransformerShape.fromJson(good.replace("\"layers\":2", "\"layers\":2.5")));
    assertMessage("not valid JSON", () -> TransformerShape.fromJson("{"));
  }

  @Test
  void invalidShapesAreRejectedNamingTheValue() {
    assertMessage("modelWidth 10 is not a multiple of heads 4",
        () -> TransformerShape.llama(7, 1, 10, 4, 2, 8, 16, 1e4, 1e-5, false, true));
    assertMessage("kvHeads 3 must divide heads 4",
        () -> TransformerShape.llama(7, 1, 16, 4, 3, 8, 16, 1e4, 1e-5, false, true));
    assertMessage("kvHeads 8 must divide heads 4",
        () -> TransformerShape.llama(7, 1, 16, 4, 8, 8, 16, 1e4, 1e-5, false, true));
    assertMessage("head dimension 3 must be even",
        () -> TransformerShape.llama(7, 1, 12, 4, 2, 8, 16, 1e4, 1e-5, false, true));
    assertMessage("vocabularySize 0 must be at least 1",
        () -> TransformerShape.llama(0, 1, 16, 4, 2, 8, 16, 1e4, 1e-5, false, true));
    assertMessage("GPT-2 has kvHeads == heads", () -> new TransformerShape(TransformerFamily.GPT2,
        7, 1, 16, 4, 2, 8, 16, 1e4, 1e-5, true, true));
    assertMessage("GPT-2's head is always tied", () -> new TransformerShape(
        TransformerFamily.GPT2, 7, 1, 16, 4, 4, 8, 16, 1e4, 1e-5, true, false));
    assertMessage("normEpsilon 0.0 must be positive",
        () -> TransformerShape.gpt2(7, 1, 16, 4, 8, 16, 0));
    assertEquals(4, TinyTransformers.llamaGqaBiasUntied().headDim());
    assertEquals(2, TinyTransformers.llamaGqaBiasUntied().groupSize());
  }

  @Test
  void layoutBlocksAreContiguousInStateDictOrder() {
    for (TransformerShape s : TinyTransformers.all()) {
      TransformerLayout layout = TransformerLayout.of(s);
      int next = 0;
      for (TransformerLayout.Tensor t : layout.tensors()) {
        assertEquals(next, t.offset(), t.name());
        int product = 1;
        for (int d : t.shape()) {
          product *= d;
        }
        assertEquals(product, t.length(), t.name());
        assertEquals(t, layout.tensor(t.name()));
        next += t.length();
      }
      assertEquals(next, layout.parameterCount());
    }
    TransformerLayout qwen = TransformerLayout.of(TinyTransformers.llamaGqaBiasUntied());
    assertEquals("model.embed_tokens.weight", qwen.tensors().get(0).name());
    assertArrayEquals(new int[] {8, 16}, qwen.tensor("model.layers.1.self_attn.k_proj.weight").shape());
    assertArrayEquals(new int[] {16, 16}, qwen.tensor("model.layers.0.self_attn.o_proj.weight").shape());
    assertArrayEquals(new int[] {12, 16}, qwen.tensor("model.layers.0.mlp.up_proj.weight").shape());
    assertArrayEquals(new int[] {16, 12}, qwen.tensor("model.layers.0.mlp.down_proj.weight").shape());
    assertEquals("lm_head.weight", qwen.head().name());
    assertEquals(7 * 16 + 2 * (16 + 16 * 16 + 16 + 2 * (8 * 16 + 8) + 16 * 16 + 16 + 3 * 12 * 16)
        + 16 + 7 * 16, qwen.parameterCount());
    TransformerLayout tied = TransformerLayout.of(TinyTransformers.llamaTied());
    assertFalse(tied.has("lm_head.weight"));
    assertFalse(tied.has("model.layers.0.self_attn.q_proj.bias"));
    assertEquals("model.embed_tokens.weight", tied.head().name());
    TransformerLayout gpt2 = TransformerLayout.of(TinyTransformers.gpt2());
    assertArrayEquals(new int[] {8, 24}, gpt2.tensor("transformer.h.0.attn.c_attn.weight").shape());
    assertArrayEquals(new int[] {8, 16}, gpt2.tensor("transformer.h.1.mlp.c_fc.weight").shape());
    assertArrayEquals(new int[] {32, 8}, gpt2.tensor("transformer.wpe.weight").shape());
    assertEquals("transformer.wte.weight", gpt2.head().name());
    assertMessage("no tensor 'lm_head.weight'", () -> gpt2.tensor("lm_head.weight"));
  }

  @Test
  void initIsDeterministicAndHuggingFaceLike() {
    TransformerShape s = TinyTransformers.gpt2();
    float[] a = TransformerInit.parameters(s, 5);
    assertArrayEquals(a, TransformerInit.parameters(s, 5));
    assertNotEquals(a[0], TransformerInit.parameters(s, 6)[0]);
    TransformerLayout layout = TransformerLayout.of(s);
    TransformerLayout.Tensor norm = layout.tensor("transformer.h.0.ln_1.weight");
    TransformerLayout.Tensor bias = layout.tensor("transformer.h.0.attn.c_attn.bias");
    TransformerLayout.Tensor weight = layout.tensor("transformer.wte.weight");
    for (int k = 0; k < norm.length(); k++) {
      assertEquals(1f, a[norm.offset() + k]);
    }
    for (int k = 0; k < bias.length(); k++) {
      assertEquals(0f, a[bias.offset() + k]);
    }
    double sq = 0;
    for (int k = 0; k < weight.length(); k++) {
      sq += a[weight.offset() + k] * a[weight.offset() + k];
    }
    double std = Math.sqrt(sq / weight.length());
    assertTrue(std > 0.015 && std < 0.025, "embedding std " + std);
  }

  private static void assertMessage(String part, Supplier<?> call) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, call::get);
    assertTrue(e.getMessage().contains(part), "message '" + e.getMessage() + "' lacks '" + part
        + "'");
  }
}
