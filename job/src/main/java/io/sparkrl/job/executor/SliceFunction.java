package io.sparkrl.job.executor;

import java.io.Serializable;

/**
 * What a task does with its slice of a job's work, on an executor ({@code SliceJob} on the driver
 * runs one task per slice).
 */
public interface SliceFunction<T, R> extends Serializable {
  R apply(T slice);
}
