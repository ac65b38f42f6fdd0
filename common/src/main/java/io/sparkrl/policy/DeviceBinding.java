package io.sparkrl.policy;

import java.util.List;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Binds the calling thread's ND4J work to the GPU that Spark assigned its task. The one place in
 * the project that asks which ND4J backend is loaded: the CUDA backend gets
 * {@code unsafeSetDevice}, any other backend (nd4j-native) a no-op, so the job code is the same for
 * both builds and no backend class is referenced at compile time.
 *
 * <p>ND4J's device affinity is per thread and Spark reuses task threads across tasks with
 * different GPUs, so every task binds before it touches a network; {@link #current()} is what the
 * thread was last bound to, which {@link PolicyCache} keys its networks by (a network lives on the
 * device it was built on).
 */
public final class DeviceBinding {
  /** What a thread runs on when no GPU is bound: the host, or the backend's default device. */
  public static final int HOST = -1;

  private static final ThreadLocal<Integer> CURRENT = ThreadLocal.withInitial(() -> HOST);

  /** The backend operations the binding needs; {@link #nd4j()} is the real one. */
  public interface Backend {
    /** e.g. "CpuBackend", "JCublasBackend". */
    String name();

    /** Whether {@link #setDevice} moves work to a GPU. */
    boolean isCuda();

    /** Devices the backend sees (CUDA: after CUDA_VISIBLE_DEVICES). */
    int devices();

    void setDevice(int device);
  }

  /**
   * What a task was bound to.
   *
   * @param device the ND4J device index, or {@link #HOST} when nothing was bound
   * @param addresses the GPU addresses Spark assigned the task (empty: none)
   * @param description one line for the executor log
   */
  public record Bound(int device, List<String> addresses, String description) {
    public Bound {
      addresses = List.copyOf(addresses);
    }
  }

  private final Backend backend;

  public DeviceBinding(Backend backend) {
    this.backend = backend;
  }

  /** The binding for the ND4J backend loaded in this JVM. */
  public static DeviceBinding nd4j() {
    return new DeviceBinding(new Nd4jBackend());
  }

  /** Whether the backend is ND4J's CUDA backend (work can run on a GPU). */
  public boolean isCuda() {
    return backend.isCuda();
  }

  /** The device this thread was last bound to ({@link #HOST} if never, or bound to none). */
  public static int current() {
    return CURRENT.get();
  }

  /**
   * Binds this thread to the first of the task's GPU addresses (Spark's resource addresses, which
   * the discovery script reports as CUDA device indices). More than one address: the rest stay
   * unused by ND4J, which runs one device per thread.
   *
   * @throws IllegalArgumentException if an address is not a device index the backend sees
   */
  public Bound bind(List<String> addresses) {
    if (addresses.isEmpty()) {
      CURRENT.set(HOST);
      return new Bound(HOST, addresses, "no GPU assigned; ND4J " + backend.name()
          + " on its default device");
    }
    if (!backend.isCuda()) {
      CURRENT.set(HOST);
      return new Bound(HOST, addresses, "GPU address(es) " + addresses + " assigned, but ND4J "
          + backend.name() + " is not the CUDA backend (built without -Pcuda): binding is a no-op");
    }
    String first = addresses.get(0);
    int device;
    try {
      device = Integer.parseInt(first.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("GPU address \"" + first + "\" assigned by Spark is not a"
          + " CUDA device index: the discovery script must report indices (0, 1, ...)", e);
    }
    int visible = backend.devices();
    if (device < 0 || device >= visible) {
      throw new IllegalArgumentException("GPU address " + device + " assigned by Spark, but ND4J "
          + backend.name() + " sees " + visible + " device(s) (0.." + (visible - 1) + "): the"
          + " discovery script and CUDA_VISIBLE_DEVICES disagree");
    }
    backend.setDevice(device);
    CURRENT.set(device);
    return new Bound(device, addresses, "GPU address(es) " + addresses + ": ND4J "
        + backend.name() + " bound to device " + device + " of " + visible
        + (addresses.size() > 1 ? " (the others unused: one device per task thread)" : ""));
  }

  /** ND4J's loaded backend, asked by name so that no CUDA class is needed to compile this. */
  private static final class Nd4jBackend implements Backend {
    @Override
    public String name() {
      return Nd4j.getBackend().getClass().getSimpleName();
    }

    @Override
    public boolean isCuda() {
      return Nd4j.getBackend().getClass().getName().startsWith("org.nd4j.linalg.jcublas.");
    }

    @Override
    public int devices() {
      return Nd4j.getAffinityManager().getNumberOfDevices();
    }

    @Override
    public void setDevice(int device) {
      Nd4j.getAffinityManager().unsafeSetDevice(device);
    }
  }
}
