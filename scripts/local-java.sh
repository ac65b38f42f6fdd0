#!/usr/bin/env bash
# Runs the Spark application in one local JVM with the full classpath (Spark and Hadoop included):
# no Spark installation needed.
# Usage: scripts/local-java.sh <command> [--jars A.jar,B.jar] [--config FILE] [key=value ...]
#   --jars   your own jars (a reward class, ...), comma-separated as with spark-submit; they go on
#            the classpath of the driver and of local mode's executors (the same JVM). May be given
#            more than once, anywhere after the command.
# Builds the project first when it has not been built. JAVA_OPTS adds JVM flags (e.g. -Xmx8g).
# The Spark UI and the driver's RPC listen on loopback (127.0.0.1) only: a run on one machine needs
# no more. To open them, set SPARK_LOCAL_IP (e.g. SPARK_LOCAL_IP=0.0.0.0 for every interface).
# SPARKRL_CLASSPATH, when set, is the job's classpath and the build check is skipped (tests).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
ARGS=()
USER_JARS=""
while [ $# -gt 0 ]; do
  case "$1" in
    --jars) [ $# -ge 2 ] || { echo "local-java.sh: --jars needs a comma-separated list of jars" >&2; exit 2; }
      USER_JARS="$USER_JARS,$2"; shift 2 ;;
    --jars=*) USER_JARS="$USER_JARS,${1#--jars=}"; shift ;;
    *) ARGS+=("$1"); shift ;;
  esac
done
EXTRA_CP=""
IFS=',' read -r -a JARS <<< "$USER_JARS"
for jar in "${JARS[@]}"; do
  [ -n "$jar" ] || continue
  if [ ! -f "$jar" ]; then
    echo "local-java.sh: --jars: no such file: $jar" >&2
    exit 2
  fi
  EXTRA_CP="$EXTRA_CP:$(cd "$(dirname "$jar")" && pwd)/$(basename "$jar")"
done
if [ -n "${SPARKRL_CLASSPATH:-}" ]; then
  JOB_CP="$SPARKRL_CLASSPATH"
else
  CLASSPATH_FILE="$ROOT/job/target/classpath.txt"
  if [ ! -f "$ROOT/job/target/classes/io/sparkrl/job/Main.class" ] || [ ! -f "$CLASSPATH_FILE" ] \
      || [ "$ROOT/job/pom.xml" -nt "$CLASSPATH_FILE" ] || [ "$ROOT/pom.xml" -nt "$CLASSPATH_FILE" ]; then
    echo "building sparkrl (first run: Maven downloads the dependencies) ..." >&2
    (cd "$ROOT" && mvn -q -B install -DskipTests)
    (cd "$ROOT" && mvn -q -B -pl job dependency:build-classpath -DincludeScope=compile \
      -Dmdep.outputFile="$CLASSPATH_FILE")
  fi
  JOB_CP="$ROOT/job/target/classes:$ROOT/common/target/classes:$(cat "$CLASSPATH_FILE")"
fi
. "$ROOT/scripts/java-flags.sh"
# One native (OpenMP/BLAS) thread per Spark task core: 2.5x faster than ND4J's default threading
# with two tasks on two cores (README, "Running on a cluster").
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
# Spark binds its UI and the driver's RPC to SPARK_LOCAL_IP: loopback unless told otherwise.
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
cd "$ROOT"
# shellcheck disable=SC2086
exec java -Xmx${SPARKRL_HEAP:-6g} $JAVA_FLAGS ${JAVA_OPTS:-} -cp "$JOB_CP$EXTRA_CP" \
  io.sparkrl.job.Main "${ARGS[@]}"
