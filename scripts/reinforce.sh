#!/usr/bin/env bash
# REINFORCE training on this machine (local[*], no Spark install needed).
# Usage: scripts/reinforce.sh [--jars A.jar,B.jar] [--config FILE] [key=value ...] [-Dkey=value ...]
#   e.g. scripts/reinforce.sh run.steps=50 run.init-policy=runs/sft/policy.bin
# Without --config the embedded conf/local.conf is used; keys are relative to `sparkrl`.
exec "$(dirname "$0")/local-java.sh" reinforce "$@"
