package io.sparkrl.hf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class HalfFloatsTest {
  @Test
  void everyF16WidensExactlyAndNarrowsBackToItsOwnBits() {
    for (int i = 0; i < 0x10000; i++) {
      int h = i;
      float f = HalfFloats.f16ToFloat((short) h);
      assertEquals((short) h, HalfFloats.floatToF16(f), () -> "f16 bits " + Integer.toHexString(h));
    }
  }

  @Test
  void everyBf16WidensExactlyAndNarrowsBackToItsOwnBits() {
    for (int i = 0; i < 0x10000; i++) {
      int h = i;
      float f = HalfFloats.bf16ToFloat((short) h);
      assertEquals((short) h, HalfFloats.floatToBf16(f), () -> "bf16 bits " + Integer.toHexString(h));
    }
  }

  @Test
  void nanStaysNanWhenItsPayloadIsInTheDroppedBits() {
    float nan = Float.intBitsToFloat(0x7F800001);
    assertTrue(Float.isNaN(HalfFloats.f16ToFloat(HalfFloats.floatToF16(nan))));
    assertTrue(Float.isNaN(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(nan))));
  }

  @Test
  void knownHalfValues() {
    assertEquals(1.0f, HalfFloats.f16ToFloat((short) 0x3C00));
    assertEquals(65504f, HalfFloats.f16ToFloat((short) 0x7BFF));
    assertEquals(0x1p-24f, HalfFloats.f16ToFloat((short) 0x0001)); // smallest subnormal
    assertEquals(0x1p-14f, HalfFloats.f16ToFloat((short) 0x0400)); // smallest normal
    assertEquals(Float.NEGATIVE_INFINITY, HalfFloats.f16ToFloat((short) 0xFC00));
    assertTrue(Float.isNaN(HalfFloats.f16ToFloat((short) 0x7E00)));
    assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(HalfFloats.f16ToFloat((short) 0x8000)));
    assertEquals(-2f, HalfFloats.bf16ToFloat((short) 0xC000));
  }

  /** Narrowing rounds exactly as PyTorch does (torch's own .to(float16/bfloat16), in the fixture). */
  @Test
  void narrowingMatchesTorchOnTheReferenceValues() {
    JsonNode tensors = SafetensorsFixtures.expected("mixed").get("tensors");
    for (String name : new String[] {"special.f16", "special.bf16", "model.norm.weight", "lm_head.weight"}) {
      JsonNode t = tensors.get(name);
      float[] source = SafetensorsFixtures.floatsFromBits(t.get("source_f32_bits"));
      int[] torchBits = SafetensorsFixtures.ints(t.get("stored_bits"));
      boolean f16 = t.get("dtype").asText().equals("F16");
      int[] ours = new int[source.length];
      for (int i = 0; i < source.length; i++) {
        ours[i] = f16 ? HalfFloats.floatToF16(source[i]) : HalfFloats.floatToBf16(source[i]);
        if (Float.isNaN(source[i])) { // any NaN bits will do (torch's BF16 NaN is 0xFFFF here)
          float theirs = f16 ? HalfFloats.f16ToFloat((short) torchBits[i]) : HalfFloats.bf16ToFloat((short) torchBits[i]);
          float mine = f16 ? HalfFloats.f16ToFloat((short) ours[i]) : HalfFloats.bf16ToFloat((short) ours[i]);
          assertTrue(Float.isNaN(theirs) && Float.isNaN(mine), name + "[" + i + "]");
          ours[i] = torchBits[i];
        }
      }
      assertArrayEquals(torchBits, ours, name);
    }
  }
}
