package io.sparkrl.tokenizer;

import java.io.DataInput;
import java.io.IOException;
import java.util.Map;
import java.util.TreeSet;

/** The tokenizer implementations by {@link Tokenizer#kind}: how a policy file reads each back. */
public final class Tokenizers {
  /** Reads what {@link Tokenizer#writeTo} wrote. */
  @FunctionalInterface
  public interface Reader {
    Tokenizer read(DataInput in) throws IOException;
  }

  private static final Map<String, Reader> READERS = Map.of(
      "characters", Vocabulary::readFrom,
      io.sparkrl.tokenizer.bpe.BpeTokenizer.KIND, io.sparkrl.tokenizer.bpe.BpeTokenizer::readFrom,
      FramedTokenizer.KIND, FramedTokenizer::readFrom);

  private Tokenizers() {}

  public static Tokenizer read(String kind, DataInput in) throws IOException {
    Reader r = READERS.get(kind);
    if (r == null) {
      throw new IOException("unknown tokenizer kind \"" + kind + "\" (known: "
          + new TreeSet<>(READERS.keySet()) + ")");
    }
    return r.read(in);
  }
}
