package io.sparkrl.job.output;

import io.sparkrl.advantage.EmaBaseline;
import io.sparkrl.optim.AdamW;
import io.sparkrl.optim.AdamWState;
import io.sparkrl.policy.PolicySnapshot;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * Everything the next step reads: parameters (with vocabulary and step), AdamW moments and step,
 * and the EMA baseline. The data cursor is the step itself (the prompt schedule is a function of
 * (seed, step)), so a resumed run continues bit-identically.
 */
public record Checkpoint(PolicySnapshot policy, AdamWState optimizer, EmaBaseline ema) {
  static final String POLICY = "policy.bin";
  static final String OPTIMIZER = "optimizer.bin";
  static final String BASELINE = "baseline.bin";

  public static Checkpoint of(PolicySnapshot policy, AdamW optimizer, EmaBaseline ema) {
    return new Checkpoint(policy, optimizer.state(), ema);
  }

  void writeOptimizer(DataOutputStream out) throws IOException {
    optimizer.writeTo(out);
  }

  static void writeBaseline(EmaBaseline ema, DataOutputStream out) throws IOException {
    out.writeDouble(ema.value());
    out.writeBoolean(ema.initialized());
  }

  static EmaBaseline readBaseline(DataInputStream in) throws IOException {
    return new EmaBaseline(in.readDouble(), in.readBoolean());
  }
}
