package io.sparkrl.policy;

import java.util.HashMap;
import java.util.Map;

/**
 * One policy engine per thread and role, built once from the first snapshot of an architecture and
 * refreshed in place for later snapshots. Engines are not thread-safe and Spark runs one task per
 * core in a shared executor JVM, so each task thread gets its own; Spark reuses its task threads,
 * so an engine is built once per core, not once per task.
 *
 * <p>An engine is refreshed when the snapshot's parameter array is another array: parameter arrays
 * are never modified once in a snapshot (each update writes a new one), so the same array holds
 * the same values.
 *
 * <p>Entries are also keyed by the device the thread is bound to ({@link DeviceBinding#current()}):
 * an engine lives on the device it was built on, and a reused task thread may be handed a task
 * with another GPU.
 */
public final class PolicyCache {
  private static final ThreadLocal<Map<String, Entry>> CURRENT =
      ThreadLocal.withInitial(HashMap::new);

  private record Entry(PolicyArchitecture architecture, PolicyModel model, PolicySnapshot loaded) {}

  private PolicyCache() {}

  /**
   * This thread's engine for a role ("policy", "reference", ...) on the thread's bound device,
   * holding the snapshot's parameters. Roles keep the trained policy and the frozen reference from
   * evicting each other.
   */
  public static PolicyModel model(String role, PolicySnapshot snapshot) {
    Map<String, Entry> entries = CURRENT.get();
    String key = role + "@" + DeviceBinding.current();
    Entry e = entries.get(key);
    if (e == null || !e.architecture().equals(snapshot.architecture())) {
      PolicyModel model = snapshot.newModel();
      entries.put(key, new Entry(snapshot.architecture(), model, snapshot));
      return model;
    }
    // the same parameter array (one broadcast value per executor) holds the same values
    if (e.loaded().parameters() != snapshot.parameters()) {
      e.model().load(snapshot.parameters());
      entries.put(key, new Entry(e.architecture(), e.model(), snapshot));
    }
    return e.model();
  }
}
