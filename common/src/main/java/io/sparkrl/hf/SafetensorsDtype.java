package io.sparkrl.hf;

import java.util.Set;

/** The element types read and written: the float types of language-model checkpoints. */
public enum SafetensorsDtype {
  F32(4),
  F16(2),
  BF16(2);

  /** Types of the format that exist but are not float weights this project reads. */
  private static final Set<String> KNOWN_OTHERS = Set.of("F64", "I64", "I32", "I16", "I8", "U64",
      "U32", "U16", "U8", "BOOL", "F8_E4M3", "F8_E5M2", "F8_E8M0", "F6_E2M3", "F6_E3M2", "F4",
      "C64");

  private final int bytes;

  SafetensorsDtype(int bytes) {
    this.bytes = bytes;
  }

  /** Bytes per element. */
  public int bytes() {
    return bytes;
  }

  /** The dtype of a header entry; an exception naming the value for any other. */
  static SafetensorsDtype parse(String source, String tensor, String name)
      throws SafetensorsFormatException {
    for (SafetensorsDtype d : values()) {
      if (d.name().equals(name)) {
        return d;
      }
    }
    String what = KNOWN_OTHERS.contains(name) ? "unsupported dtype " + name : "unknown dtype \"" + name + "\"";
    throw new SafetensorsFormatException(source, tensor + ": " + what
        + " (only F32, F16 and BF16 tensors are read, as float32)");
  }
}
