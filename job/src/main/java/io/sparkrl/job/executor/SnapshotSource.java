package io.sparkrl.job.executor;

import io.sparkrl.policy.PolicyFrame;
import io.sparkrl.policy.PolicySnapshot;
import java.io.ObjectStreamException;
import java.io.Serializable;
import org.apache.spark.broadcast.Broadcast;

/**
 * A policy snapshot as tasks receive it: the run's {@link PolicyFrame} (architecture, tokenizer),
 * broadcast once, and one step's parameters, broadcast each step. Each executor fetches each of
 * them once; {@link #value} puts them together without copying the parameters.
 */
public final class SnapshotSource implements Serializable {
  private static final long serialVersionUID = 1L;

  /**
   * One step's parameters. Serialized as a {@link StepParametersForm}: the floats' bits in bulk,
   * not element by element (Java serialization's way with a {@code float[]}).
   */
  public record StepParameters(long step, float[] values) implements Serializable {
    private Object writeReplace() throws ObjectStreamException {
      return new StepParametersForm(this);
    }
  }

  private final Broadcast<PolicyFrame> frame;
  private final Broadcast<StepParameters> parameters;

  public SnapshotSource(Broadcast<PolicyFrame> frame, Broadcast<StepParameters> parameters) {
    this.frame = frame;
    this.parameters = parameters;
  }

  public PolicySnapshot value() {
    StepParameters p = parameters.value();
    return PolicySnapshot.of(frame.value(), p.values(), p.step());
  }

  /** The step's parameter broadcast (destroyed after the step; the frame lives on). */
  public Broadcast<StepParameters> parameters() {
    return parameters;
  }
}
