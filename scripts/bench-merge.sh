#!/usr/bin/env bash
# What reaches the driver per step against tasks per step, with the merge on the driver and in
# the tree on the executors (run.merge-fan-in), and what the merge costs.
# Usage: scripts/bench-merge.sh [steps] [size ...]   (sizes as bench-job.sh names them; without
#        sizes: default (2 x LSTM-128) and small (the 8-layer, d 512 transformer)). BENCH_JAVA_OPTS adds JVM options.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
# the benchmarks live with the tests (not shipped in the jars): test classes and test classpath
mvn -q -B -pl job -am test-compile dependency:build-classpath -DincludeScope=test \
  -Dmdep.outputFile="$ROOT/job/target/bench-classpath.txt" >/dev/null
. "$ROOT/scripts/java-flags.sh"
export OMP_NUM_THREADS=1
# shellcheck disable=SC2086
exec java -Xmx8g $JAVA_FLAGS ${BENCH_JAVA_OPTS:-} \
  -cp "$ROOT/job/target/test-classes:$ROOT/job/target/classes:$ROOT/common/target/classes:$(cat job/target/bench-classpath.txt)" \
  io.sparkrl.job.bench.MergeBenchmark "$@"
