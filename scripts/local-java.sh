#!/usr/bin/env bash
# Runs the Spark application in one local JVM with the full classpath (Spark and Hadoop included):
# no Spark installation needed. Usage: scripts/local-java.sh <command> [--config FILE] [key=value ...]
# Builds the project first when it has not been built. JAVA_OPTS adds JVM flags (e.g. -Xmx8g).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CLASSPATH_FILE="$ROOT/job/target/classpath.txt"
if [ ! -f "$ROOT/job/target/classes/io/sparkrl/job/Main.class" ] || [ ! -f "$CLASSPATH_FILE" ] \
    || [ "$ROOT/job/pom.xml" -nt "$CLASSPATH_FILE" ] || [ "$ROOT/pom.xml" -nt "$CLASSPATH_FILE" ]; then
  echo "building sparkrl (first run: Maven downloads the dependencies) ..." >&2
  (cd "$ROOT" && mvn -q -B install -DskipTests)
  (cd "$ROOT" && mvn -q -B -pl job dependency:build-classpath -DincludeScope=compile \
    -Dmdep.outputFile="$CLASSPATH_FILE")
fi
. "$ROOT/scripts/java-opens.sh"
# One native (OpenMP/BLAS) thread per Spark task core: DESIGN.md measured 2.5x faster on 2 cores.
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
cd "$ROOT"
# shellcheck disable=SC2086
exec java -Xmx${SPARKRL_HEAP:-6g} $OPENS ${JAVA_OPTS:-} \
  -cp "$ROOT/job/target/classes:$ROOT/common/target/classes:$(cat "$CLASSPATH_FILE")" \
  io.sparkrl.job.Main "$@"
