#!/usr/bin/env bash
# Submits a sparkrl command to a cluster with spark-submit from $SPARK_HOME.
# Usage: SPARK_HOME=/opt/spark scripts/submit.sh <generate|sft|reinforce|evaluate> \
#          [--config conf/cluster.conf] [key=value ...]
# Spark properties come from the environment: SPARK_MASTER (default: spark-submit's own),
# SPARK_DEPLOY_MODE, and SPARK_SUBMIT_OPTS_EXTRA (more spark-submit options, e.g.
# "--num-executors 8 --executor-cores 4 --executor-memory 8g").
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
: "${SPARK_HOME:?set SPARK_HOME to a Spark 3.5 (Scala 2.12) installation}"
JAR=$(ls "$ROOT"/job/target/sparkrl-job-*-spark.jar 2>/dev/null | head -n 1 || true)
if [ -z "$JAR" ]; then
  (cd "$ROOT" && mvn -q -B install -DskipTests)
  JAR=$(ls "$ROOT"/job/target/sparkrl-job-*-spark.jar | head -n 1)
fi
CONF_ARGS=()
if [ "${1:-}" != "" ] && [ "${2:-}" = "--config" ] && [ -f "${3:-}" ]; then
  # ship the config file with the job so the driver finds it in cluster deploy mode too
  CONF_ARGS=(--files "$3")
fi
EXTRA=()
if [ -n "${SPARK_SUBMIT_OPTS_EXTRA:-}" ]; then read -r -a EXTRA <<< "$SPARK_SUBMIT_OPTS_EXTRA"; fi
MASTER_ARGS=()
if [ -n "${SPARK_MASTER:-}" ]; then MASTER_ARGS=(--master "$SPARK_MASTER"); fi
exec "$SPARK_HOME/bin/spark-submit" \
  "${MASTER_ARGS[@]}" \
  --deploy-mode "${SPARK_DEPLOY_MODE:-client}" \
  --class io.sparkrl.job.Main \
  --conf spark.executorEnv.OMP_NUM_THREADS=1 \
  --conf spark.yarn.appMasterEnv.OMP_NUM_THREADS=1 \
  "${CONF_ARGS[@]}" "${EXTRA[@]}" \
  "$JAR" "$@"
