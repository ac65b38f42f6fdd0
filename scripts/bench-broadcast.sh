#!/usr/bin/env bash
# A step's parameter broadcast and gradient-sized results against the parameter count, on
# local-cluster[2,1,1024] (two executor JVMs): bytes, sc.broadcast, the 2-task read job, the
# slowest task's fetch, the 2-task job returning float[P] each, the driver's add; medians.
# Usage: scripts/bench-broadcast.sh [steps] [parameter count ...]
#        (default: 5 timed steps of 1e5 1e6 3e6 1e7 3e7 parameters; it stops at the first size
#        that does not fit the executors' memory)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
# the benchmark lives with the tests (it starts a local-cluster as LocalClusterTest does)
mvn -q -B -pl common,job test-compile dependency:build-classpath -DincludeScope=test \
  -Dmdep.outputFile="$ROOT/job/target/test-classpath.txt" >/dev/null
. "$ROOT/scripts/java-flags.sh"
export OMP_NUM_THREADS=1
# shellcheck disable=SC2086
exec java -Xmx4g $JAVA_FLAGS \
  -cp "$ROOT/job/target/test-classes:$ROOT/job/target/classes:$ROOT/common/target/classes:$(cat job/target/test-classpath.txt)" \
  io.sparkrl.job.bench.BroadcastBenchmark "$@"
