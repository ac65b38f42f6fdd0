#!/usr/bin/env bash
# One REINFORCE step on one core, per policy size and batch: sampling tokens/s, backward pass
# (shipped and, for the default size, DL4J's in the same run), AdamW, whole step; each phase's
# GFLOP/s as a share of the measured single-core sgemm peak.
# Usage: scripts/bench-step.sh [iterations] [size:batch ...]   (sizes: default, large;
#        tiny, small = Llama-style transformers; without size:batch it runs default:16 default:64
#        large:16 large:64)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -pl common compile dependency:build-classpath \
  -Dmdep.outputFile="$PWD/common/target/classpath.txt" >/dev/null
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
exec java -Xmx4g -cp "common/target/classes:$(cat common/target/classpath.txt)" \
  io.sparkrl.bench.StepBenchmark "$@"
