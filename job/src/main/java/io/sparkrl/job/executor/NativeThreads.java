package io.sparkrl.job.executor;

import org.nd4j.linalg.factory.Nd4j;

/**
 * Caps ND4J's native (OpenMP and BLAS) threads in this JVM. Spark already runs one task per core;
 * if every task's matrix ops also fan out over all cores, two tasks on two cores ran 2.5x slower
 * than with one native thread each (README, "Running on a cluster"). The scripts also export OMP_NUM_THREADS, which
 * takes effect before the native library loads; this covers launchers that do not.
 */
public final class NativeThreads {
  private static volatile int configured;

  private NativeThreads() {}

  public static void limit(int threads) {
    if (configured == threads) {
      return;
    }
    synchronized (NativeThreads.class) {
      if (configured != threads) {
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        Nd4j.factory().blas().setMaxThreads(threads);
        configured = threads;
      }
    }
  }
}
