package io.sparkrl.job.corpus;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Strict UTF-8 decoding of corpus text. Hadoop's {@code Text.toString()} and Parquet's
 * {@code Binary.toStringUsingUTF8()} turn bytes that are not UTF-8 into U+FFFD, which would then
 * be trained on; here they make the record malformed instead. One instance per task (a decoder
 * is not thread-safe).
 */
final class Utf8 {
  /** Bytes that are not valid UTF-8: where the first bad sequence starts. */
  static final class Invalid extends Exception {
    final int index;

    Invalid(int index) {
      super("invalid UTF-8 at byte " + index + " of the value", null, false, false);
      this.index = index;
    }
  }

  private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
      .onMalformedInput(CodingErrorAction.REPORT)
      .onUnmappableCharacter(CodingErrorAction.REPORT);

  /** The text of {@code bytes[0, length)}; throws {@link Invalid} naming the first bad byte. */
  String decode(byte[] bytes, int length) throws Invalid {
    ByteBuffer in = ByteBuffer.wrap(bytes, 0, length);
    CharBuffer out = CharBuffer.allocate(length); // UTF-8 never has fewer bytes than UTF-16 units
    decoder.reset();
    CoderResult r = decoder.decode(in, out, true);
    if (r.isError()) {
      throw new Invalid(in.position());
    }
    r = decoder.flush(out);
    if (r.isError()) {
      throw new Invalid(in.position());
    }
    return out.flip().toString();
  }

  /** What a record with such bytes is told: "invalid UTF-8 (byte N of the line)". */
  static String problem(Invalid e, String of) {
    return "invalid UTF-8 (byte " + e.index + " of the " + of + ")";
  }
}
