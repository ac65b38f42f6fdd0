package io.sparkrl.policy;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * One network per thread, built once from the first snapshot of a configuration and refreshed in
 * place for later snapshots. A DL4J network is not thread-safe and Spark runs one task per core in
 * a shared executor JVM, so each task thread gets its own; Spark reuses its task threads, so the
 * network is built once per core, not once per task.
 */
public final class PolicyCache {
  private static final ThreadLocal<Entry> CURRENT = new ThreadLocal<>();

  private record Entry(String configurationJson, MultiLayerNetwork net, PolicySnapshot loaded) {}

  private PolicyCache() {}

  /** This thread's network holding the snapshot's parameters. */
  public static MultiLayerNetwork network(PolicySnapshot snapshot) {
    Entry e = CURRENT.get();
    if (e == null || !e.configurationJson().equals(snapshot.configurationJson())) {
      MultiLayerNetwork net = snapshot.newNetwork();
      CURRENT.set(new Entry(snapshot.configurationJson(), net, snapshot));
      return net;
    }
    if (e.loaded() != snapshot) {
      snapshot.loadInto(e.net());
      CURRENT.set(new Entry(e.configurationJson(), e.net(), snapshot));
    }
    return e.net();
  }
}
