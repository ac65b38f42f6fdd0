package io.sparkrl.policy;

import io.sparkrl.tokenizer.Vocabulary;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Everything an executor needs to run the policy of one step: the network configuration (DL4J
 * JSON), the flat parameters, the vocabulary and the step. A plain float array and two strings,
 * so broadcasting it costs what its parameters weigh (4 bytes each) and no DL4J object travels.
 */
public record PolicySnapshot(String configurationJson, float[] parameters, Vocabulary vocabulary,
    long step) implements Serializable {

  private static final int MAGIC = 0x53524c50; // "SRLP"
  private static final int FORMAT = 1;

  public static PolicySnapshot of(MultiLayerNetwork net, Vocabulary vocabulary, long step) {
    return new PolicySnapshot(net.getLayerWiseConfigurations().toJson(),
        net.params().castTo(DataType.FLOAT).toFloatVector(), vocabulary, step);
  }

  public PolicySnapshot withParameters(float[] newParameters, long newStep) {
    if (newParameters.length != parameters.length) {
      throw new IllegalArgumentException("parameter count " + newParameters.length
          + " differs from the policy's " + parameters.length);
    }
    return new PolicySnapshot(configurationJson, newParameters, vocabulary, newStep);
  }

  public MultiLayerConfiguration configuration() {
    return MultiLayerConfiguration.fromJson(configurationJson);
  }

  /** A new network holding this snapshot's parameters. */
  public MultiLayerNetwork newNetwork() {
    MultiLayerNetwork net = PolicyFactory.initialised(configuration());
    loadInto(net);
    return net;
  }

  /** Copies the parameters into an existing network of the same configuration, in place. */
  public void loadInto(MultiLayerNetwork net) {
    if (net.numParams() != parameters.length) {
      throw new IllegalArgumentException("network has " + net.numParams()
          + " parameters, snapshot has " + parameters.length);
    }
    net.params().assign(Nd4j.createFromArray(parameters).castTo(net.params().dataType()));
  }

  public void writeTo(OutputStream stream) throws IOException {
    DataOutputStream out = new DataOutputStream(stream);
    out.writeInt(MAGIC);
    out.writeInt(FORMAT);
    out.writeLong(step);
    byte[] json = configurationJson.getBytes(StandardCharsets.UTF_8);
    out.writeInt(json.length);
    out.write(json);
    vocabulary.writeTo(out);
    out.writeInt(parameters.length);
    ByteBuffer buf = ByteBuffer.allocate(parameters.length * 4).order(ByteOrder.BIG_ENDIAN);
    buf.asFloatBuffer().put(parameters);
    out.write(buf.array());
    out.flush();
  }

  public static PolicySnapshot readFrom(InputStream stream) throws IOException {
    DataInputStream in = new DataInputStream(stream);
    if (in.readInt() != MAGIC) {
      throw new IOException("not a sparkrl policy file (bad magic number)");
    }
    int format = in.readInt();
    if (format != FORMAT) {
      throw new IOException("policy file format " + format + " is not supported (expected " + FORMAT + ")");
    }
    long step = in.readLong();
    byte[] json = new byte[in.readInt()];
    in.readFully(json);
    Vocabulary vocabulary = Vocabulary.readFrom(in);
    int n = in.readInt();
    byte[] raw = new byte[Math.multiplyExact(n, 4)];
    in.readFully(raw);
    float[] params = new float[n];
    ByteBuffer.wrap(raw).order(ByteOrder.BIG_ENDIAN).asFloatBuffer().get(params);
    return new PolicySnapshot(new String(json, StandardCharsets.UTF_8), params, vocabulary, step);
  }
}
