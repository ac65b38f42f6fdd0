package io.sparkrl.job.cluster;

import java.util.Iterator;
import java.util.List;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.function.FlatMapFunction;

/** A task that reports which executor JVM ran it: "executorId=pid". */
public final class ExecutorIdentity implements FlatMapFunction<Iterator<Integer>, String> {
  @Override
  public Iterator<String> call(Iterator<Integer> partition) {
    return List.of(SparkEnv.get().executorId() + "=" + ProcessHandle.current().pid()).iterator();
  }
}
