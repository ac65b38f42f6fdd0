#!/usr/bin/env bash
# Prints the path of a stand-in SPARK_HOME for this machine, building it first when needed: a
# jars/ folder of links to the Spark, Hadoop and logging jars Maven already resolved for the build
# (no download), which is what a standalone worker needs to launch executor JVMs and what
# spark-submit runs from. The application's own libraries (DL4J/ND4J/DataVec/JavaCPP, Typesafe
# Config, sparkrl) are left out, as in a real Spark distribution: they travel in the job jar.
# Usage: SPARK_HOME=$(scripts/spark-home.sh)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
HOME_DIR="$ROOT/target/spark-home"
if [ ! -f "$HOME_DIR/jars/.complete" ]; then
  rm -rf "$HOME_DIR"
  mkdir -p "$HOME_DIR/jars" "$HOME_DIR/conf"
  CP_FILE="$HOME_DIR/classpath.txt"
  # includeScope=compile is compile + provided: Spark's own dependencies that DL4J shares (Scala,
  # Jackson, commons-*) are compile-scoped in this build but belong to Spark too.
  (cd "$ROOT" && mvn -q -B -o -pl job -am dependency:build-classpath -DincludeScope=compile \
    -Dmdep.outputFile="$CP_FILE" >&2) \
    || (cd "$ROOT" && mvn -q -B -pl job -am dependency:build-classpath -DincludeScope=compile \
    -Dmdep.outputFile="$CP_FILE" >&2)
  tr ':' '\n' < "$CP_FILE" | grep '\.jar$' \
    | grep -v -e /org/deeplearning4j/ -e /org/nd4j/ -e /org/datavec/ -e /org/bytedeco/ \
      -e /com/typesafe/config/ -e /io/sparkrl/ \
    | while read -r jar; do ln -sf "$jar" "$HOME_DIR/jars/$(basename "$jar")"; done
  ls "$HOME_DIR"/jars/spark-core_*.jar > /dev/null
  touch "$HOME_DIR/jars/.complete"
fi
echo "$HOME_DIR"
