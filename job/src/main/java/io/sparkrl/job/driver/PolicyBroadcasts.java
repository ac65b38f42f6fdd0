package io.sparkrl.job.driver;

import io.sparkrl.job.executor.SnapshotSource;
import io.sparkrl.policy.PolicyFrame;
import io.sparkrl.policy.PolicySnapshot;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * Broadcasts policies the way a run changes them: the frame (architecture and tokenizer, which a
 * run never changes: a DL4J configuration, a character vocabulary, or a subword tokenizer of
 * megabytes) once, the parameters each time. A frame whose architecture or tokenizer is another
 * object than the last one's is broadcast anew (snapshots derived from one another share them).
 */
public final class PolicyBroadcasts implements AutoCloseable {
  private final JavaSparkContext sc;
  private PolicyFrame frame;
  private Broadcast<PolicyFrame> frameBroadcast;

  public PolicyBroadcasts(JavaSparkContext sc) {
    this.sc = sc;
  }

  /** Broadcasts the snapshot's parameters (and its frame when it is new). */
  public SnapshotSource broadcast(PolicySnapshot snapshot) {
    PolicyFrame f = snapshot.frame();
    // the same objects (snapshots of one run share them): no need to compare tokenizers' contents
    if (frameBroadcast == null || f.architecture() != frame.architecture()
        || f.tokenizer() != frame.tokenizer()) {
      if (frameBroadcast != null) {
        frameBroadcast.destroy();
      }
      frame = f;
      frameBroadcast = sc.broadcast(f);
    }
    return new SnapshotSource(frameBroadcast, sc.broadcast(
        new SnapshotSource.StepParameters(snapshot.step(), snapshot.parameters())));
  }

  /** Drops a step's parameters from the executors (the frame stays). */
  public static void release(SnapshotSource source) {
    source.parameters().destroy();
  }

  @Override
  public void close() {
    if (frameBroadcast != null) {
      frameBroadcast.destroy();
      frameBroadcast = null;
    }
  }
}
