#!/usr/bin/env bash
# From a fresh clone: build, generate the bundled arithmetic corpus, SFT warm start, REINFORCE,
# evaluate. Everything runs on this machine (local[*]); takes a few minutes on 2 cores.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
RUN="${1:-runs/quickstart}"
echo "== build"
mvn -q -B install -DskipTests
mvn -q -B -pl job dependency:build-classpath -Dmdep.includeScope=compile \
  -Dmdep.outputFile="$ROOT/job/target/classpath.txt"
echo "== generate the arithmetic corpus"
scripts/local-java.sh generate
echo "== supervised warm start"
scripts/local-java.sh sft run.dir="$RUN/sft"
echo "== REINFORCE from the warm start"
scripts/local-java.sh reinforce run.dir="$RUN/reinforce" run.init-policy="$RUN/sft/policy.bin" \
  run.resume=false
echo "== evaluate"
scripts/local-java.sh evaluate run.dir="$RUN/evaluate" run.init-policy="$RUN/reinforce/policy.bin"
echo
echo "results:"
echo "  $RUN/sft/policy.bin              the warm-start policy"
echo "  $RUN/reinforce/metrics.jsonl     one line per step (reward, loss, accuracy, timings)"
echo "  $RUN/reinforce/checkpoints/      checkpoints (policy, optimizer, baseline)"
echo "  $RUN/reinforce/policy.bin        the trained policy"
