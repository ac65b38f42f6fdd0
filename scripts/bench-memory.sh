#!/usr/bin/env bash
# Driver heap against corpus size: REINFORCE steps on local[2] over generated corpora of 50,000
# and 5,000,000 prompts (~250 MB of JSON Lines in a temporary folder, deleted afterwards), with a
# 1 GB heap. Prints the heap in use after GC at start and after the steps for each.
# Usage: scripts/bench-memory.sh [steps] [prompts ...] [-- key=value ...]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
STEPS="${1:-5}"; shift || true
SIZES=(); while [[ $# -gt 0 && "$1" != "--" ]]; do SIZES+=("$1"); shift; done
[[ "${1:-}" == "--" ]] && shift
[[ ${#SIZES[@]} -eq 0 ]] && SIZES=(50000 5000000)
# the benchmarks live with the tests (not shipped in the jars): test classes and test classpath
mvn -q -B -pl job -am test-compile dependency:build-classpath -DincludeScope=test \
  -Dmdep.outputFile="$ROOT/job/target/bench-classpath.txt" >/dev/null
. "$ROOT/scripts/java-flags.sh"
export OMP_NUM_THREADS=1
for n in "${SIZES[@]}"; do
  # shellcheck disable=SC2086
  java -Xmx1g $JAVA_FLAGS \
    -cp "$ROOT/job/target/test-classes:$ROOT/job/target/classes:$ROOT/common/target/classes:$(cat job/target/bench-classpath.txt)" \
    io.sparkrl.job.bench.DriverMemoryBenchmark "$n" "$STEPS" "$@"
done
