#!/usr/bin/env bash
# Spark's overhead: the same REINFORCE steps on local[2] and in-process without Spark.
# Usage: scripts/bench-job.sh [steps] [key=value ...]     (settings: embedded conf/local.conf)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
mvn -q -B -o -pl job -am compile dependency:build-classpath -Dmdep.includeScope=compile \
  -Dmdep.outputFile="$ROOT/job/target/classpath.txt" >/dev/null
export OMP_NUM_THREADS=1
exec java -Xmx6g $(tr '\n' ' ' < <(grep -o -- '--add-opens=[^ "]*' scripts/local-java.sh)) \
  -cp "$ROOT/job/target/classes:$ROOT/common/target/classes:$(cat job/target/classpath.txt)" \
  io.sparkrl.job.bench.SparkOverheadBenchmark "$@"
