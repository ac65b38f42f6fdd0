package io.sparkrl.reward;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs reward calls on one daemon worker thread and gives up on a call that has not returned
 * after the timeout, so that a function that never returns cannot block a Spark task (and with it
 * the step) forever.
 *
 * <p>The worker is started on the first call and reused for every later one: a call costs two
 * thread hand-offs, not a thread. A worker whose call timed out is interrupted and abandoned (Java
 * cannot kill a thread); the next call starts a fresh one. An abandoned worker that ignores the
 * interrupt keeps its thread until its call ends, or until the JVM exits since it is a daemon, and
 * whatever it returns then is dropped. Calls are serialized: one instance serves one task.
 */
final class GuardedCalls implements AutoCloseable {
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final long timeoutNanos;
  private Worker worker;

  /** @param timeoutNanos how long one call may run, {@code > 0} */
  GuardedCalls(long timeoutNanos) {
    if (timeoutNanos <= 0) {
      throw new IllegalArgumentException("timeoutNanos must be > 0, was " + timeoutNanos);
    }
    this.timeoutNanos = timeoutNanos;
  }

  /**
   * The function's score, or NaN when it threw an exception (or overflowed its stack).
   *
   * @throws TimeoutException when it did not return within the timeout; its worker is abandoned
   * @throws Error any other error of the function (out of memory, linkage), which must fail the task
   */
  synchronized double call(Reward function, String prompt, String completion, String reference)
      throws TimeoutException {
    long deadline = System.nanoTime() + timeoutNanos;
    FutureTask<Double> call =
        new FutureTask<>(() -> function.score(prompt, completion, reference));
    if (worker == null) {
      worker = new Worker();
      worker.start();
    }
    try {
      // The worker is idle in take(): a healthy one accepts at once.
      if (!worker.calls.offer(call, timeoutNanos, TimeUnit.NANOSECONDS)) {
        abandonWorker();
        throw new TimeoutException("the reward worker did not accept a call");
      }
      return call.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      abandonWorker();
      throw e;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof Exception || cause instanceof StackOverflowError) {
        return Double.NaN;
      }
      throw (Error) cause;
    } catch (InterruptedException e) {
      // The task itself is being cancelled (Spark kills it this way): stop scoring.
      Thread.currentThread().interrupt();
      abandonWorker();
      throw new IllegalStateException("interrupted while waiting for a reward", e);
    }
  }

  private void abandonWorker() {
    worker.abandoned = true;
    worker.interrupt();
    worker = null;
  }

  /** Stops the idle worker; a later call would start a new one. */
  @Override
  public synchronized void close() {
    if (worker != null) {
      abandonWorker();
    }
  }

  private static final class Worker extends Thread {
    final SynchronousQueue<FutureTask<Double>> calls = new SynchronousQueue<>();
    volatile boolean abandoned;

    Worker() {
      super("sparkrl-reward-" + THREADS.incrementAndGet());
      setDaemon(true);
      // user reward classes may load resources through it (Spark puts user jars there)
      setContextClassLoader(Thread.currentThread().getContextClassLoader());
    }

    @Override
    public void run() {
      try {
        while (!abandoned) {
          calls.take().run();
        }
      } catch (InterruptedException e) {
        // closed, or abandoned while idle
      }
    }
  }
}
