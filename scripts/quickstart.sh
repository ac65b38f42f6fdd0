#!/usr/bin/env bash
# From a fresh clone: build, generate the bundled arithmetic corpus, SFT warm start, REINFORCE,
# evaluate. Everything runs on this machine (local[*]); about 10 minutes on 2 cores. Running it
# again is quick: finished runs are not redone (they say "nothing to do").
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
RUN="${1:-runs/quickstart}"
echo "== build"
mvn -q -B install -DskipTests
mvn -q -B -pl job dependency:build-classpath -DincludeScope=compile \
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
echo "  $RUN/reinforce/summary.json      how the run ended (steps, rewards, accuracy, params_sha256)"
echo "  $RUN/reinforce/report/report.html charts, configuration and sample completions"
echo "  $RUN/reinforce/checkpoints/      checkpoints (DL4J policy.zip, optimizer, baseline, metadata)"
echo "  $RUN/reinforce/policy.bin        the trained policy"
