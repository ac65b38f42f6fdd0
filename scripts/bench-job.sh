#!/usr/bin/env bash
# Spark's overhead: the same REINFORCE steps on local[2] and in-process without Spark.
# Usage: scripts/bench-job.sh [steps] [size:batch] [key=value ...]   (settings: embedded conf/local.conf;
#        size:batch as in bench-step.sh: default:16 = 2 x LSTM-128, 2 prompts x 8, entropy bonus 0.01)
# BENCH_WARMUP sets the untimed steps run first (default 150). BENCH_JAVA_OPTS adds JVM options, e.g. -Dspark.task.maxDirectResultSize=1m to compare a Spark setting.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
# the benchmarks live with the tests (not shipped in the jars): test classes and test classpath
mvn -q -B -pl job -am test-compile dependency:build-classpath -DincludeScope=test \
  -Dmdep.outputFile="$ROOT/job/target/bench-classpath.txt" >/dev/null
. "$ROOT/scripts/java-opens.sh"
export OMP_NUM_THREADS=1
# shellcheck disable=SC2086
exec java -Xmx6g $OPENS ${BENCH_JAVA_OPTS:-} \
  -cp "$ROOT/job/target/test-classes:$ROOT/job/target/classes:$ROOT/common/target/classes:$(cat job/target/bench-classpath.txt)" \
  io.sparkrl.job.bench.SparkOverheadBenchmark "$@"
