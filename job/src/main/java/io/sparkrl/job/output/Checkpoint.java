package io.sparkrl.job.output;

import io.sparkrl.advantage.EmaBaseline;
import io.sparkrl.optim.AdamW;
import io.sparkrl.optim.AdamWState;
import io.sparkrl.policy.Architectures;
import io.sparkrl.policy.PolicySnapshot;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * Everything the next step reads: parameters (with vocabulary and step), AdamW moments and step,
 * and the EMA baseline. The data cursor is a function of the step (the prompt schedule depends only
 * on seed, corpus size and step), so a resumed run continues bit-identically.
 *
 * <p>On disk the policy is in its architecture's files ({@link
 * io.sparkrl.policy.PolicyArchitecture#checkpointFiles}): the LSTM's a DeepLearning4J model file
 * ({@code policy.zip}, loadable with {@code MultiLayerNetwork.load(file, false)}) plus
 * {@code vocabulary.json}, the transformer's a {@code policy.bin}; the optimizer and baseline are
 * small binary files.
 */
public record Checkpoint(PolicySnapshot policy, AdamWState optimizer, EmaBaseline ema) {
  static final String OPTIMIZER = "optimizer.bin";
  static final String BASELINE = "baseline.bin";
  static final String CONFIG = "config.conf";

  public static Checkpoint of(PolicySnapshot policy, AdamW optimizer, EmaBaseline ema) {
    return new Checkpoint(policy, optimizer.state(), ema);
  }

  /** The policy's files, as its architecture writes them (name to content). */
  java.util.Map<String, byte[]> policyFiles() throws IOException {
    return policy.architecture().checkpointFiles(policy);
  }

  byte[] optimizerFile() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    optimizer.writeTo(out);
    out.flush();
    return bytes.toByteArray();
  }

  byte[] baselineFile() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeDouble(ema.value());
    out.writeBoolean(ema.initialized());
    out.flush();
    return bytes.toByteArray();
  }

  /** The policy of a checkpoint's policy files ({@link #policyFiles}). */
  static PolicySnapshot readPolicy(java.util.Map<String, byte[]> files, long step)
      throws IOException {
    return Architectures.readCheckpoint(files, step);
  }

  static AdamWState readOptimizer(byte[] bytes) throws IOException {
    return AdamWState.readFrom(new DataInputStream(new ByteArrayInputStream(bytes)));
  }

  static EmaBaseline readBaseline(byte[] bytes) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
    return new EmaBaseline(in.readDouble(), in.readBoolean());
  }
}
