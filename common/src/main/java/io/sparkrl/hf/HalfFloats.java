package io.sparkrl.hf;

/**
 * Conversions between float32 and the two 16-bit float formats of Hugging Face checkpoints, on raw
 * bits (Java 17 has no {@code Float.float16ToFloat}).
 *
 * <ul>
 *   <li>BF16 is the top 16 bits of a float32: widening is a shift; narrowing rounds to nearest,
 *       ties to even (as PyTorch does), and keeps NaN a NaN (quiet) instead of rounding it.
 *   <li>F16 is IEEE 754 binary16 (1 sign, 5 exponent, 10 fraction bits): widening is exact,
 *       subnormals, infinities and NaN payloads included; narrowing rounds to nearest, ties to
 *       even, overflows to infinity and underflows through the subnormals to a signed zero.
 * </ul>
 *
 * Every F16 or BF16 value widens to a float32 that narrows back to the same bits, so a checkpoint
 * read into float32 and written again in its own dtype is bit-identical.
 */
public final class HalfFloats {
  private HalfFloats() {}

  public static float bf16ToFloat(short bits) {
    return Float.intBitsToFloat((bits & 0xFFFF) << 16);
  }

  public static short floatToBf16(float value) {
    int bits = Float.floatToRawIntBits(value);
    if ((bits & 0x7FFFFFFF) > 0x7F800000) {
      int top = bits >>> 16; // NaN: keep sign and the payload's top bits, unless none are left
      return (short) ((top & 0x7F) == 0 ? top | 0x0040 : top);
    }
    int roundingBias = 0x7FFF + ((bits >>> 16) & 1);
    return (short) ((bits + roundingBias) >>> 16);
  }

  public static float f16ToFloat(short half) {
    int h = half & 0xFFFF;
    int sign = (h & 0x8000) << 16;
    int exponent = (h >>> 10) & 0x1F;
    int fraction = h & 0x3FF;
    if (exponent == 0x1F) { // infinity or NaN (payload kept)
      return Float.intBitsToFloat(sign | 0x7F800000 | (fraction << 13));
    }
    if (exponent == 0) {
      if (fraction == 0) {
        return Float.intBitsToFloat(sign);
      }
      // Subnormal: fraction * 2^-24, exact in float32.
      float magnitude = fraction * 0x1p-24f;
      return sign == 0 ? magnitude : -magnitude;
    }
    return Float.intBitsToFloat(sign | ((exponent - 15 + 127) << 23) | (fraction << 13));
  }

  public static short floatToF16(float value) {
    int bits = Float.floatToRawIntBits(value);
    int sign = (bits >>> 16) & 0x8000;
    int magnitude = bits & 0x7FFFFFFF;
    if (magnitude > 0x7F800000) { // NaN: keep the payload's top bits, unless none are left
      int payload = (magnitude >>> 13) & 0x3FF;
      return (short) (sign | 0x7C00 | (payload == 0 ? 0x0200 : payload));
    }
    if (magnitude >= 0x477FF000) { // >= 65520 (halfway above the largest half, 65504): infinity
      return (short) (sign | 0x7C00);
    }
    int exponent = magnitude >>> 23;
    if (exponent >= 113) { // normal half (float exponent 113 = half exponent 1)
      int halfBits = ((exponent - 112) << 10) | ((magnitude >>> 13) & 0x3FF);
      int rest = magnitude & 0x1FFF;
      if (rest > 0x1000 || (rest == 0x1000 && (halfBits & 1) == 1)) {
        halfBits++; // may carry into the exponent, which is the correct rounding
      }
      return (short) (sign | halfBits);
    }
    if (exponent < 102) { // below half the smallest subnormal (2^-25): zero
      return (short) sign;
    }
    // Subnormal half: value / 2^-24, rounded to nearest even.
    int mantissa = (magnitude & 0x7FFFFF) | 0x800000;
    int shift = 126 - exponent; // 14..24: the bits dropped from the 24-bit mantissa
    int halfBits = mantissa >>> shift;
    int rest = mantissa & ((1 << shift) - 1);
    int halfway = 1 << (shift - 1);
    if (rest > halfway || (rest == halfway && (halfBits & 1) == 1)) {
      halfBits++;
    }
    return (short) (sign | halfBits);
  }
}
