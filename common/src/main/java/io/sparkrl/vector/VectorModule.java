package io.sparkrl.vector;

/**
 * Whether this JVM can run the project's code written with the JDK's Vector API
 * ({@code jdk.incubator.vector}, an incubator module in Java 17): the module must be on the
 * command line ({@code --add-modules=jdk.incubator.vector}, which every launch script of this
 * project and the job's executors pass) and the CPU must run 256-bit vectors natively (AVX2 or
 * better), or the vector code would be slower than the plain loops it replaces.
 *
 * <p>Classes that link against the module are only ever loaded by name, after
 * {@link #unavailable()} returned null: on a JVM without the module, loading them would fail.
 */
public final class VectorModule {
  /** The JDK module's name. */
  public static final String NAME = "jdk.incubator.vector";
  private static final String PROBE = "io.sparkrl.vector.VectorProbe";
  /** What the probe found: the preferred vector width (0 when it could not run), or why not. */
  private record Probe(int bits, String unavailable) {}

  private static final Probe FOUND = probe();

  private VectorModule() {}

  /** Why the vector code cannot run on this JVM, or null when it can (checked once per JVM). */
  public static String unavailable() {
    return FOUND.unavailable();
  }

  /** The CPU's vector width the Vector API prefers (256 with AVX2, 512 with AVX-512), 0 unknown. */
  public static int preferredBits() {
    return FOUND.bits();
  }

  /**
   * A new instance of the named class of this project that links against the module, by its
   * constructor of these parameter types; call only when {@link #unavailable()} is null.
   */
  public static <T> T create(Class<T> type, String className, Class<?>[] parameterTypes,
      Object... arguments) {
    if (FOUND.unavailable() != null) {
      throw new IllegalStateException(className + " needs the Vector API: "
          + FOUND.unavailable());
    }
    try {
      java.lang.reflect.Constructor<?> constructor =
          Class.forName(className).getDeclaredConstructor(parameterTypes);
      constructor.setAccessible(true); // package-private classes of this project
      return type.cast(constructor.newInstance(arguments));
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot create " + className, e);
    }
  }

  private static Probe probe() {
    if (ModuleLayer.boot().findModule(NAME).isEmpty()) {
      return new Probe(0, "the JVM was started without --add-modules=" + NAME);
    }
    try {
      Class<?> probe = Class.forName(PROBE);
      java.lang.reflect.Method bits = probe.getDeclaredMethod("preferredBits");
      bits.setAccessible(true);
      int preferred = (Integer) bits.invoke(null);
      return new Probe(preferred, preferred >= 256 ? null
          : "this CPU's vectors are " + preferred + "-bit, the vector code needs 256");
    } catch (ReflectiveOperationException | LinkageError e) {
      return new Probe(0, "the Vector API cannot load: " + e);
    }
  }
}
