package io.sparkrl.policy;

import io.sparkrl.policy.lstm.LstmArchitecture;
import io.sparkrl.tokenizer.Tokenizer;
import io.sparkrl.tokenizer.Tokenizers;
import io.sparkrl.tokenizer.Vocabulary;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Everything an executor needs to run the policy of one step: its architecture (with shape), the
 * flat parameters, the tokenizer and the step. No DL4J object travels; broadcasting it costs what
 * its parameters weigh (4 bytes each) plus the architecture's and tokenizer's description.
 *
 * <p>File format ({@code policy.bin}, {@code initial-policy.bin}, the transformer's checkpoint
 * policy), big-endian: magic "SRLP", format 2, step, the architecture's name and shape JSON, the
 * tokenizer's kind and bytes, then the parameters as float32. Format 1 (written before the policy
 * seam: an LSTM's DL4J configuration JSON and a character vocabulary) still reads.
 */
public record PolicySnapshot(PolicyArchitecture architecture, float[] parameters,
    Tokenizer tokenizer, long step) implements Serializable {

  private static final int MAGIC = 0x53524c50; // "SRLP"
  /** LSTM only: DL4J configuration JSON and a character vocabulary. */
  private static final int FORMAT_LSTM = 1;
  private static final int FORMAT = 2;

  public PolicySnapshot {
    if (parameters.length != architecture.parameterCount()) {
      throw new IllegalArgumentException(parameters.length + " parameters for " + architecture);
    }
    if (tokenizer.size() != architecture.vocabularySize()) {
      throw new IllegalArgumentException("a tokenizer of " + tokenizer.size() + " tokens for "
          + architecture + ": sizes must agree");
    }
  }

  /** A snapshot of the frame's policy holding {@code parameters} (not copied) at {@code step}. */
  public static PolicySnapshot of(PolicyFrame frame, float[] parameters, long step) {
    return new PolicySnapshot(frame.architecture(), parameters, frame.tokenizer(), step);
  }

  /** What does not change from step to step: architecture and tokenizer. */
  public PolicyFrame frame() {
    return new PolicyFrame(architecture, tokenizer);
  }

  public PolicySnapshot withParameters(float[] newParameters, long newStep) {
    if (newParameters.length != parameters.length) {
      throw new IllegalArgumentException("parameter count " + newParameters.length
          + " differs from the policy's " + parameters.length);
    }
    return new PolicySnapshot(architecture, newParameters, tokenizer, newStep);
  }

  /** A new engine (for this thread) holding this snapshot's parameters. */
  public PolicyModel newModel() {
    return architecture.newModel(parameters);
  }

  public void writeTo(OutputStream stream) throws IOException {
    DataOutputStream out = new DataOutputStream(stream);
    out.writeInt(MAGIC);
    out.writeInt(FORMAT);
    out.writeLong(step);
    writeString(out, architecture.name());
    writeString(out, architecture.shapeJson());
    writeString(out, tokenizer.kind());
    ByteArrayOutputStream t = new ByteArrayOutputStream();
    DataOutputStream tokenizerOut = new DataOutputStream(t);
    tokenizer.writeTo(tokenizerOut);
    tokenizerOut.flush();
    out.writeInt(t.size());
    t.writeTo(out);
    writeParameters(out, parameters);
    out.flush();
  }

  public static PolicySnapshot readFrom(InputStream stream) throws IOException {
    DataInputStream in = new DataInputStream(stream);
    if (in.readInt() != MAGIC) {
      throw new IOException("not a sparkrl policy file (bad magic number)");
    }
    int format = in.readInt();
    long step = in.readLong();
    if (format == FORMAT_LSTM) {
      String json = readString(in);
      Vocabulary vocabulary = Vocabulary.readFrom(in);
      float[] params = readParameters(in);
      return new PolicySnapshot(LstmArchitecture.fromJson(json), params, vocabulary, step);
    }
    if (format != FORMAT) {
      throw new IOException("policy file format " + format + " is not supported (expected "
          + FORMAT_LSTM + " or " + FORMAT + ")");
    }
    String name = readString(in);
    PolicyArchitecture architecture = Architectures.read(name, readString(in));
    String kind = readString(in);
    byte[] tokenizerBytes = new byte[in.readInt()];
    in.readFully(tokenizerBytes);
    Tokenizer tokenizer = Tokenizers.read(kind,
        new DataInputStream(new java.io.ByteArrayInputStream(tokenizerBytes)));
    return new PolicySnapshot(architecture, readParameters(in), tokenizer, step);
  }

  private static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  private static String readString(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > (1 << 28)) {
      throw new IOException("corrupt policy file: a string of " + n + " bytes");
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return new String(b, StandardCharsets.UTF_8);
  }

  private static void writeParameters(DataOutputStream out, float[] parameters)
      throws IOException {
    out.writeInt(parameters.length);
    ByteBuffer buf = ByteBuffer.allocate(parameters.length * 4).order(ByteOrder.BIG_ENDIAN);
    buf.asFloatBuffer().put(parameters);
    out.write(buf.array());
  }

  private static float[] readParameters(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0) {
      throw new IOException("corrupt policy file: " + n + " parameters");
    }
    byte[] raw = new byte[Math.multiplyExact(n, 4)];
    in.readFully(raw);
    float[] params = new float[n];
    ByteBuffer.wrap(raw).order(ByteOrder.BIG_ENDIAN).asFloatBuffer().get(params);
    return params;
  }
}
