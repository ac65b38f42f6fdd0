#!/usr/bin/env bash
# Every figure of the step benchmark in one command, per policy size and batch (sequences):
#   1. scripts/bench-step.sh, one core, in-process: sampling tokens/s, backward, AdamW, backward +
#      AdamW, whole step, each phase's share of the measured single-core sgemm peak;
#   2. scripts/bench-job.sh, per size:batch: the whole step through Spark local[2] against the
#      same step in-process, at the same batch.
# Usage: scripts/bench.sh [size:batch ...]   (sizes: default = 2 x LSTM-128, large = 2 x LSTM-512;
#        without arguments: default:16 default:64 large:16 large:64). All four: 8.5 minutes here.
# BENCH_ITERATIONS (20): bench-step iterations. BENCH_STEPS (30): timed Spark steps. Untimed warm-up
# steps: BENCH_WARMUP if set, else 150 for default and 60 for large (0.5-1.5 s a step).
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=("$@")
[[ ${#SIZES[@]} -eq 0 ]] && SIZES=(default:16 default:64 large:16 large:64)
scripts/bench-step.sh "${BENCH_ITERATIONS:-20}" "${SIZES[@]}"
for sb in "${SIZES[@]}"; do
  warmup=150
  [[ "$sb" == large:* ]] && warmup=60
  echo
  echo "== $sb through Spark local[2] and in-process"
  BENCH_WARMUP="${BENCH_WARMUP:-$warmup}" scripts/bench-job.sh "${BENCH_STEPS:-30}" "$sb" \
    | grep -v -E '[0-9:]+ (INFO|WARN) '
done
