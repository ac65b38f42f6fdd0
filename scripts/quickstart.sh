#!/usr/bin/env bash
# From a fresh clone: build, then one bundled recipe end to end on this machine (local[*]):
# generate the task's corpus, train a BPE tokenizer on it, SFT warm start of a small transformer,
# REINFORCE with a correctness-only reward, and held-out evaluation of both policies (greedy
# accuracy, pass@1, pass@8). About 5 minutes on 2 cores.
# Usage: scripts/quickstart.sh [arithmetic|sorting|lstm] [run folder]
#   arithmetic (default): conf/arithmetic.conf, two-digit addition;
#   sorting:              conf/sorting.conf, sorting five digits;
#   lstm:                 the character-level LSTM recipe of conf/local.conf (about 10 minutes).
# Running it again is quick: finished runs are not redone (they say "nothing to do").
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
RECIPE="${1:-arithmetic}"
case "$RECIPE" in
  arithmetic|sorting) CONFIG=(--config "conf/$RECIPE.conf") ;;
  lstm) CONFIG=() ;;
  *) echo "quickstart.sh: unknown recipe \"$RECIPE\" (arithmetic, sorting or lstm)" >&2; exit 2 ;;
esac
RUN="${2:-runs/$RECIPE}"
# Each phase is one command of the job; it is printed before it runs, to be run on its own later.
step() { echo "+ $*"; "$@"; }
echo "== build"
mvn -q -B install -DskipTests
mvn -q -B -pl job dependency:build-classpath -DincludeScope=compile \
  -Dmdep.outputFile="$ROOT/job/target/classpath.txt"
echo "== generate the $RECIPE corpus"
step scripts/local-java.sh generate "${CONFIG[@]}"
if [ "$RECIPE" != lstm ]; then
  echo "== train a BPE tokenizer on the corpus"
  step scripts/local-java.sh train-tokenizer "${CONFIG[@]}"
fi
echo "== supervised warm start"
step scripts/local-java.sh sft "${CONFIG[@]}" run.dir="$RUN/sft"
echo "== evaluate the warm start"
step scripts/local-java.sh evaluate "${CONFIG[@]}" run.dir="$RUN/eval-sft" \
  run.init-policy="$RUN/sft/policy.bin"
echo "== REINFORCE from the warm start"
step scripts/local-java.sh reinforce "${CONFIG[@]}" run.dir="$RUN/rl" \
  run.init-policy="$RUN/sft/policy.bin" run.resume=false
echo "== evaluate the trained policy"
step scripts/local-java.sh evaluate "${CONFIG[@]}" run.dir="$RUN/eval-rl" \
  run.init-policy="$RUN/rl/policy.bin"
echo
echo "results:"
echo "  $RUN/sft/policy.bin                the warm-start policy (and $RUN/sft/hf/, a Hugging Face folder)"
echo "  $RUN/eval-sft/evaluation.json      its held-out greedy accuracy, pass@1 and pass@8"
echo "  $RUN/rl/metrics.jsonl              one line per REINFORCE step (reward, loss, accuracy, timings)"
echo "  $RUN/rl/report/report.html         the learning curve, configuration and sample completions"
echo "  $RUN/rl/policy.bin                 the trained policy (and $RUN/rl/hf/)"
echo "  $RUN/eval-rl/evaluation.json       its held-out greedy accuracy, pass@1 and pass@8"
for phase in sft rl; do
  if [ -f "$RUN/eval-$phase/evaluation.json" ]; then
    echo "$phase: $(tr -d '\n ' < "$RUN/eval-$phase/evaluation.json")"
  fi
done
