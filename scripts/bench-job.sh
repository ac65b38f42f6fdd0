#!/usr/bin/env bash
# Spark's overhead: the same REINFORCE steps on local[2] and in-process without Spark.
# Usage: scripts/bench-job.sh [steps] [size:batch] [key=value ...]   (settings: embedded conf/local.conf;
#        size:batch as in bench-step.sh: default:16 = 2 x LSTM-128, 2 prompts x 8, entropy bonus 0.01)
# BENCH_WARMUP sets the untimed steps run first (default 150; a small:64 step takes tens of
# seconds, so e.g. BENCH_WARMUP=3 there: with 1, the first timed step still pays the JIT and the
# heap's growth and is the slowest of every run, see docs/benchmarks-spark-step.md).
# BENCH_JAVA_OPTS adds JVM options, e.g. -Dspark.task.maxDirectResultSize=1m to compare a Spark
# setting. BENCH_XMX sets the heap: 6g, or 10g when a size:batch is small (25.7M parameters:
# ~5 GB stay live - the driver's and the in-process policy, reference and AdamW moments, the
# tasks' buffers, two 103 MB results; 6g runs it, with full collections and concurrent marking
# that take CPU from the tasks on 2 cores).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
# the benchmarks live with the tests (not shipped in the jars): test classes and test classpath
mvn -q -B -pl job -am test-compile dependency:build-classpath -DincludeScope=test \
  -Dmdep.outputFile="$ROOT/job/target/bench-classpath.txt" >/dev/null
. "$ROOT/scripts/java-flags.sh"
export OMP_NUM_THREADS=1
XMX=6g
for a in "$@"; do
  case "$a" in small:*) XMX=10g ;; esac
done
# shellcheck disable=SC2086
exec java -Xmx"${BENCH_XMX:-$XMX}" $JAVA_FLAGS ${BENCH_JAVA_OPTS:-} \
  -cp "$ROOT/job/target/test-classes:$ROOT/job/target/classes:$ROOT/common/target/classes:$(cat job/target/bench-classpath.txt)" \
  io.sparkrl.job.bench.SparkOverheadBenchmark "$@"
