#!/usr/bin/env bash
# Submits a sparkrl command to a cluster through spark-submit.
# Usage: [SPARK_HOME=/opt/spark] SPARK_MASTER=spark://host:7077 scripts/submit.sh \
#          <generate|sft|reinforce|evaluate> [--config conf/cluster.conf] [key=value ...]
# With SPARK_HOME set to a Spark 3.5 (Scala 2.12) installation, its bin/spark-submit runs. Without
# it, the same org.apache.spark.deploy.SparkSubmit runs from the Spark jars the build resolved
# (scripts/spark-home.sh), exactly as bin/spark-submit would start it: fine for
# scripts/local-cluster.sh and any standalone master of Spark 3.5.
# Spark properties come from the environment: SPARK_MASTER (default: spark-submit's own),
# SPARK_DEPLOY_MODE, and SPARK_SUBMIT_OPTS_EXTRA (more spark-submit options, e.g.
# "--num-executors 8 --executor-cores 4 --executor-memory 8g"). SPARKRL_DRIVER_HEAP [2g] is the
# client-mode driver's heap when SparkSubmit runs from the build's jars. SPARK_PROPERTIES_FILE
# names a properties file for spark-submit's --properties-file (e.g. a cluster's secret).
# Submitting to the master of scripts/local-cluster.sh hands over that cluster's secret
# (its spark-auth.conf) unless SPARK_PROPERTIES_FILE is set.
# A local master (unset, or local[...]) binds the Spark UI and the driver's RPC to loopback
# (SPARK_LOCAL_IP=127.0.0.1) unless SPARK_LOCAL_IP is set.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
JAR=$(ls "$ROOT"/job/target/sparkrl-job-*-spark.jar 2>/dev/null | head -n 1 || true)
if [ -z "$JAR" ]; then
  echo "building the job jar ..." >&2
  (cd "$ROOT" && mvn -q -B -pl job -am package -DskipTests)
  JAR=$(ls "$ROOT"/job/target/sparkrl-job-*-spark.jar | head -n 1)
fi
CONF_ARGS=()
if [ "${1:-}" != "" ] && [ "${2:-}" = "--config" ] && [ -f "${3:-}" ]; then
  # ship the config file with the job so the driver finds it in cluster deploy mode too: there
  # it runs in a container whose working directory holds the shipped file under its own name
  CONF_ARGS=(--files "$3")
  if [ "${SPARK_DEPLOY_MODE:-client}" = "cluster" ]; then
    set -- "$1" --config "$(basename "$3")" "${@:4}"
  fi
fi
EXTRA=()
if [ -n "${SPARK_SUBMIT_OPTS_EXTRA:-}" ]; then read -r -a EXTRA <<< "$SPARK_SUBMIT_OPTS_EXTRA"; fi
MASTER_ARGS=()
if [ -n "${SPARK_MASTER:-}" ]; then MASTER_ARGS=(--master "$SPARK_MASTER"); fi
DRIVER_ARGS=()
case "${SPARK_MASTER:-local}" in
  local|local\[*) export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
    # local mode samples in the driver's JVM: it needs the Vector API module as executors do
    # (the job adds it to spark.executor.extraJavaOptions itself)
    DRIVER_ARGS=(--driver-java-options "--add-modules=jdk.incubator.vector") ;;
esac
CLUSTER_STATE="${SPARKRL_CLUSTER_DIR:-$ROOT/target/local-cluster}"
if [ -z "${SPARK_PROPERTIES_FILE:-}" ] && [ -n "${SPARK_MASTER:-}" ] \
    && [ -f "$CLUSTER_STATE/master-url" ] && [ "$(cat "$CLUSTER_STATE/master-url")" = "$SPARK_MASTER" ]; then
  SPARK_PROPERTIES_FILE="$CLUSTER_STATE/spark-auth.conf" # the local cluster's secret
  export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"  # its executors reach the driver there
fi
if [ -n "${SPARK_PROPERTIES_FILE:-}" ]; then MASTER_ARGS+=(--properties-file "$SPARK_PROPERTIES_FILE"); fi
SUBMIT_ARGS=("${MASTER_ARGS[@]}"
  --deploy-mode "${SPARK_DEPLOY_MODE:-client}"
  --class io.sparkrl.job.Main
  --conf spark.executorEnv.OMP_NUM_THREADS=1
  --conf spark.yarn.appMasterEnv.OMP_NUM_THREADS=1
  "${CONF_ARGS[@]}" "${EXTRA[@]}"
  "$JAR" "$@")
# JAVA_FLAGS, and OPENBLAS_CORETYPE for this machine's JVM (the driver; in local mode the
# executors too): a cluster's executors need spark.executorEnv.OPENBLAS_CORETYPE (README)
. "$ROOT/scripts/java-flags.sh"
if [ -n "${SPARK_HOME:-}" ] && [ -x "$SPARK_HOME/bin/spark-submit" ]; then
  exec "$SPARK_HOME/bin/spark-submit" "${DRIVER_ARGS[@]}" "${SUBMIT_ARGS[@]}"
fi
SPARK_HOME="$("$ROOT/scripts/spark-home.sh")"
export SPARK_HOME SPARK_SCALA_VERSION=2.12
# bin/spark-submit = spark-class org.apache.spark.deploy.SparkSubmit: Spark's jars on the
# classpath, the application jar given to SparkSubmit, which adds it to the driver's loader
# classpath, and like spark-class the Hadoop client configuration (YARN: where the ResourceManager
# and HDFS are) from HADOOP_CONF_DIR and YARN_CONF_DIR
CP="$SPARK_HOME/conf:$SPARK_HOME/jars/*"
for d in "${YARN_CONF_DIR:-}" "${HADOOP_CONF_DIR:-}"; do
  if [ -n "$d" ]; then CP="$d:$CP"; fi
done
# shellcheck disable=SC2086
exec java -Xmx"${SPARKRL_DRIVER_HEAP:-2g}" $JAVA_FLAGS -cp "$CP" \
  org.apache.spark.deploy.SparkSubmit "${SUBMIT_ARGS[@]}"
