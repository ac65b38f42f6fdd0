#!/usr/bin/env bash
# One REINFORCE step on one core, per policy size and batch: sampling tokens/s, backward pass
# (shipped and, for the default size, DL4J's in the same run), AdamW, whole step; each phase's
# GFLOP/s as a share of the measured single-core sgemm peak.
# Usage: scripts/bench-step.sh [iterations] [size:batch ...]   (sizes: default, large;
#        tiny, small = Llama-style transformers; without size:batch it runs default:16 default:64
#        large:16 large:64). BENCH_JAVA_OPTS adds JVM options. BENCH_WARMUP_SECONDS (3): untimed
#        runs of each phase before timing it (at least one; two for the LSTM's), as
#        bench-torch.py does: the steady state of an executor after its first steps. The transformer sizes sample with
#        both of the kernel's products (OpenBLAS, and the vector panels the job uses) in one run.
# The heap is committed and touched at start (-Xms8g -XX:+AlwaysPreTouch): a few timed iterations
# would otherwise pay the kernel's first-touch page faults of a growing heap (the backward pass's
# gradient is 8 bytes a parameter, a new array per call), which a long-running executor pays only
# in its first steps (small:16 backward, median of 5: 2.37-2.57 s growing, 1.70 s touched).
set -euo pipefail
cd "$(dirname "$0")/.."
# the benchmarks live with the tests (not shipped in the jars): test classes and test classpath
mvn -q -B -pl common test-compile dependency:build-classpath -DincludeScope=test \
  -Dmdep.outputFile="$PWD/common/target/bench-classpath.txt" >/dev/null
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
. scripts/java-flags.sh
# shellcheck disable=SC2086
exec java -Xms8g -Xmx8g -XX:+AlwaysPreTouch $JAVA_FLAGS ${BENCH_JAVA_OPTS:-} \
  -Dbench.warmup.seconds="${BENCH_WARMUP_SECONDS:-3}" \
  -cp "common/target/test-classes:common/target/classes:$(cat common/target/bench-classpath.txt)" \
  io.sparkrl.bench.StepBenchmark "$@"
