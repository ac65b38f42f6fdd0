#!/usr/bin/env bash
# One REINFORCE step of the default policy on one core: sampling tokens/s (sampling.device
# cpu-kernel and network, same run), backward-pass and AdamW times.
# Usage: scripts/bench-step.sh [iterations]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -o -pl common -am install -DskipTests 2>/dev/null || mvn -q -B -pl common -am install -DskipTests
mvn -q -B -o -pl common dependency:build-classpath -Dmdep.outputFile="$PWD/common/target/classpath.txt" >/dev/null
export OMP_NUM_THREADS=1
exec java -Xmx4g -cp "common/target/classes:$(cat common/target/classpath.txt)" \
  io.sparkrl.bench.StepBenchmark "${1:-20}"
