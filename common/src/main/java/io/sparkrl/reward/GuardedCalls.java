package io.sparkrl.reward;

import java.util.List;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs reward calls on one daemon worker thread and gives up on a call that has not returned
 * after the timeout, so that a function that never returns cannot block a Spark task (and with it
 * the step) forever.
 *
 * <p>Calls go to the worker in batches (a task's whole pass of completions): one hand-off to the
 * worker and one back per batch, not per call. With every core busy running tasks, each hand-off
 * can wait milliseconds for a core, so per-call hand-offs cost a task more than its rewards do.
 * The caller sleeps until the running call's deadline; the worker wakes it only when the batch is
 * done. A call still running at its deadline times out: its worker is interrupted and abandoned
 * (Java cannot kill a thread), and a fresh worker takes the rest of the batch. An abandoned worker
 * that ignores the interrupt keeps its thread until its call ends, or until the JVM exits since it
 * is a daemon, and whatever it computes then is dropped. One instance serves one task.
 */
final class GuardedCalls implements AutoCloseable {
  private static final AtomicInteger THREADS = new AtomicInteger();
  /** How long the caller spins for the batch's end before it sleeps. */
  private static final long SPIN_NANOS = 20_000;
  /** How long a batch may wait for an idle or starting worker to take it. */
  private static final long HANDOFF_NANOS = TimeUnit.SECONDS.toNanos(10);

  /** One reward function call. */
  record Call(Reward function, String prompt, String completion, String reference) {}

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
   * Each call's score in order: the function's value, NaN when it threw an exception (or
   * overflowed its stack), or NaN with {@code timedOut[i]} set when it did not return within the
   * timeout.
   *
   * @param timedOut as long as {@code calls}; set where a call timed out
   * @throws Error any other error of a function (out of memory, linkage), which must fail the task
   * @throws IllegalStateException when the calling thread is interrupted (Spark cancels a task so)
   */
  synchronized double[] callAll(List<Call> calls, boolean[] timedOut) {
    double[] scores = new double[calls.size()];
    int from = 0;
    while (from < calls.size()) {
      Batch batch = new Batch(calls, from, Thread.currentThread());
      if (worker == null) {
        worker = new Worker();
        worker.start();
      }
      boolean accepted;
      try {
        // The worker is idle in take(), or a fresh one is starting: a healthy one accepts as soon
        // as it gets a core. That wait is not the call's: with every core busy (a loaded executor,
        // a CI machine) a new thread can take longer than a short reward timeout to be scheduled,
        // and counting that against the call timed out calls that never ran. HANDOFF_NANOS only
        // guards against a worker that can never accept (its thread died outside a call).
        accepted = worker.batches.offer(batch, Math.max(timeoutNanos, HANDOFF_NANOS),
            TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        throw interrupted(e);
      }
      if (!accepted) {
        abandonWorker();
        timedOut[from] = true;
        scores[from] = Double.NaN;
        from++;
        continue;
      }
      from = await(batch, System.nanoTime(), scores, timedOut);
    }
    return scores;
  }

  /**
   * Waits for the batch to end or a call of it to time out, copies the scores of the calls it
   * finished into {@code scores}, and returns the next call to run.
   */
  private int await(Batch batch, long acceptedNanos, double[] scores, boolean[] timedOut) {
    // a short batch of cheap calls is often done within microseconds: catch it before sleeping,
    // which would add the operating system's wake-up latency (tens of microseconds here)
    long spinUntil = System.nanoTime() + SPIN_NANOS;
    while (!batch.progress.done() && System.nanoTime() < spinUntil) {
      Thread.onSpinWait();
    }
    while (true) {
      Progress p = batch.progress;
      if (p.done) {
        if (batch.error != null) {
          abandonWorker();
          throw batch.error;
        }
        System.arraycopy(batch.scores, batch.from, scores, batch.from, p.index - batch.from);
        return p.index;
      }
      // before the worker has marked its first call started, the call's time runs from the
      // hand-off, not from the batch's creation (the hand-off itself may have waited for a core)
      long started = p == batch.initial ? acceptedNanos : p.startedNanos;
      long left = started + timeoutNanos - System.nanoTime();
      if (left <= 0 && batch.progress == p) {
        // call p.index has run past its deadline: drop the worker and whatever it does later
        // (into its batch's own array); the calls before it are final, published with p
        batch.cancelled = true;
        abandonWorker();
        System.arraycopy(batch.scores, batch.from, scores, batch.from, p.index - batch.from);
        timedOut[p.index] = true;
        scores[p.index] = Double.NaN;
        return p.index + 1;
      }
      LockSupport.parkNanos(this, Math.max(left, 0));
      if (Thread.interrupted()) {
        batch.cancelled = true;
        abandonWorker();
        throw interrupted(new InterruptedException());
      }
    }
  }

  private IllegalStateException interrupted(InterruptedException e) {
    // The task itself is being cancelled (Spark kills it this way): stop scoring.
    Thread.currentThread().interrupt();
    if (worker != null) {
      abandonWorker();
    }
    return new IllegalStateException("interrupted while waiting for a reward", e);
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

  /** Where the worker is in a batch: the call it runs and since when, or done. */
  private record Progress(int index, long startedNanos, boolean done) {}

  /**
   * Calls [from, end) of a list, run by one worker into the batch's own array: a score is final
   * once {@link #progress} has moved past its call (the volatile write publishes it).
   */
  private static final class Batch {
    final List<Call> calls;
    final int from;
    final double[] scores;
    final Thread caller;
    /** The progress before the worker starts the first call. */
    final Progress initial;
    volatile Progress progress;
    volatile boolean cancelled;
    volatile Error error;

    Batch(List<Call> calls, int from, Thread caller) {
      this.calls = calls;
      this.from = from;
      this.scores = new double[calls.size()];
      this.caller = caller;
      this.initial = new Progress(from, System.nanoTime(), false);
      this.progress = initial;
    }

    void run() {
      try {
        for (int i = from; i < calls.size() && !cancelled; i++) {
          progress = new Progress(i, System.nanoTime(), false);
          Call c = calls.get(i);
          double s;
          try {
            s = c.function().score(c.prompt(), c.completion(), c.reference());
          } catch (Exception | StackOverflowError e) {
            s = Double.NaN;
          }
          scores[i] = s;
        }
      } catch (Error e) {
        error = e;
      }
      progress = new Progress(calls.size(), System.nanoTime(), true);
      LockSupport.unpark(caller);
    }
  }

  private static final class Worker extends Thread {
    final SynchronousQueue<Batch> batches = new SynchronousQueue<>();
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
          batches.take().run();
        }
      } catch (InterruptedException e) {
        // closed, or abandoned while idle
      }
    }
  }
}
