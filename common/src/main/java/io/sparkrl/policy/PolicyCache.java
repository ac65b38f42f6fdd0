package io.sparkrl.policy;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * One network per thread, built once from the first snapshot of a configuration and refreshed in
 * place for later snapshots. A DL4J network is not thread-safe and Spark runs one task per core in
 * a shared executor JVM, so each task thread gets its own; Spark reuses its task threads, so the
 * network is built once per core, not once per task.
 *
 * <p>Entries are also keyed by the device the thread is bound to ({@link DeviceBinding#current()}):
 * a network lives on the device it was built on, and a reused task thread may be handed a task
 * with another GPU.
 */
public final class PolicyCache {
  private static final ThreadLocal<java.util.Map<String, Entry>> CURRENT =
      ThreadLocal.withInitial(java.util.HashMap::new);

  private record Entry(String configurationJson, MultiLayerNetwork net, PolicySnapshot loaded) {}

  private PolicyCache() {}

  /**
   * This thread's network for a role ("policy", "reference", ...) on the thread's bound device,
   * holding the snapshot's parameters. Roles keep the trained policy and the frozen reference from evicting each other.
   */
  public static MultiLayerNetwork network(String role, PolicySnapshot snapshot) {
    java.util.Map<String, Entry> entries = CURRENT.get();
    String key = role + "@" + DeviceBinding.current();
    Entry e = entries.get(key);
    if (e == null || !e.configurationJson().equals(snapshot.configurationJson())) {
      MultiLayerNetwork net = snapshot.newNetwork();
      entries.put(key, new Entry(snapshot.configurationJson(), net, snapshot));
      return net;
    }
    if (e.loaded() != snapshot) {
      snapshot.loadInto(e.net());
      entries.put(key, new Entry(e.configurationJson(), e.net(), snapshot));
    }
    return e.net();
  }
}
