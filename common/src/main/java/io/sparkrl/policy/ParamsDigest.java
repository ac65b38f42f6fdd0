package io.sparkrl.policy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * {@code params_sha256}: the SHA-256 of a parameter vector as little-endian float32, in hex. Two
 * runs end with the same value exactly when their parameters are bit-identical.
 */
public final class ParamsDigest {
  private ParamsDigest() {}

  public static String sha256(float[] parameters) {
    MessageDigest digest = sha256();
    ByteBuffer buffer = ByteBuffer.allocate(4096 * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    for (int from = 0; from < parameters.length; from += 4096) {
      buffer.clear();
      int to = Math.min(parameters.length, from + 4096);
      for (int i = from; i < to; i++) {
        buffer.putFloat(parameters[i]);
      }
      buffer.flip();
      digest.update(buffer);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  public static String sha256(byte[] bytes) {
    return HexFormat.of().formatHex(sha256().digest(bytes));
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }
}
