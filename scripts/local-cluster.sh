#!/usr/bin/env bash
# A Spark standalone cluster on this machine's loopback: one master and two workers, each a
# separate JVM started from the Spark jars the build resolved (scripts/spark-home.sh; nothing is
# downloaded). Each worker offers its own cores and memory; executors are launched by the workers
# as further JVMs when an application (scripts/submit.sh) asks for them.
# Secured: each start generates a new secret into $SPARKRL_CLUSTER_DIR/spark-auth.conf (readable by
# this user only) with spark.authenticate and encrypted RPC (spark.network.crypto.enabled); the
# master, the workers and their executors use it, and scripts/submit.sh hands it to applications
# it submits to this master. An application without the secret is refused (LocalClusterAuthTest).
# Usage: scripts/local-cluster.sh start|stop|status
# Environment (defaults in brackets): SPARKRL_MASTER_PORT [7177], SPARKRL_MASTER_UI_PORT [8180],
# SPARKRL_WORKER_UI_PORT [8181; the second worker uses the next port], SPARKRL_WORKERS [2],
# SPARKRL_WORKER_CORES [1], SPARKRL_WORKER_MEMORY [1536m], SPARKRL_DAEMON_HEAP [512m],
# SPARKRL_CLUSTER_DIR [target/local-cluster], SPARK_HOME [scripts/spark-home.sh's; a Spark 3.5
# installation with jars/ works too].
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
STATE="${SPARKRL_CLUSTER_DIR:-$ROOT/target/local-cluster}"
MASTER_PORT="${SPARKRL_MASTER_PORT:-7177}"
MASTER_UI_PORT="${SPARKRL_MASTER_UI_PORT:-8180}"
WORKER_UI_PORT="${SPARKRL_WORKER_UI_PORT:-8181}"
WORKER_CORES="${SPARKRL_WORKER_CORES:-1}"
WORKER_MEMORY="${SPARKRL_WORKER_MEMORY:-1536m}"
WORKERS="${SPARKRL_WORKERS:-2}"
. "$ROOT/scripts/java-flags.sh"

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2> /dev/null; }

# waits up to 90 s for a line matching $2 in log $1; prints the line
await() {
  for _ in $(seq 1 900); do
    if grep -m 1 -E "$2" "$1" 2> /dev/null; then return 0; fi
    sleep 0.1
  done
  echo "timed out waiting for '$2' in $1:" >&2
  tail -n 20 "$1" >&2
  return 1
}

daemon() { # name, main class, arguments...
  local name="$1" main="$2"
  shift 2
  # shellcheck disable=SC2086
  nohup java -Xmx"${SPARKRL_DAEMON_HEAP:-512m}" $JAVA_FLAGS -cp "$SPARK_HOME/jars/*" "$main" \
    --properties-file "$STATE/spark-auth.conf" "$@" \
    > "$STATE/$name.log" 2>&1 < /dev/null &
  echo $! > "$STATE/$name.pid"
}

status() {
  local running=0
  for name in master $(seq -f 'worker-%g' 1 "$WORKERS"); do
    if alive "$STATE/$name.pid"; then
      echo "$name: running, pid $(cat "$STATE/$name.pid")"
      running=$((running + 1))
    else
      echo "$name: not running"
    fi
  done
  if [ -f "$STATE/endpoints" ] && [ "$running" -gt 0 ]; then cat "$STATE/endpoints"; fi
  [ "$running" -eq $((WORKERS + 1)) ]
}

start() {
  if alive "$STATE/master.pid"; then
    echo "already running:"; status; return 0
  fi
  if [ -z "${SPARK_HOME:-}" ] || [ ! -d "$SPARK_HOME/jars" ]; then
    SPARK_HOME="$("$ROOT/scripts/spark-home.sh")"
  fi
  export SPARK_HOME
  # the worker's executor launcher needs these (the Scala version, and an address on loopback);
  # one native thread per executor core
  export SPARK_SCALA_VERSION=2.12 SPARK_LOCAL_IP=127.0.0.1 SPARK_LOCAL_HOSTNAME=127.0.0.1
  export OMP_NUM_THREADS=1
  mkdir -p "$STATE"
  rm -f "$STATE"/*.log "$STATE/endpoints" "$STATE/master-url"
  # a new secret for every start: whoever can read this file (this user) can use the cluster
  (umask 077 && {
    echo "spark.authenticate true"
    echo "spark.authenticate.secret $(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')"
    echo "spark.network.crypto.enabled true"
  } > "$STATE/spark-auth.conf")
  daemon master org.apache.spark.deploy.master.Master \
    --host 127.0.0.1 --port "$MASTER_PORT" --webui-port "$MASTER_UI_PORT"
  # the master binds the next free port when one is taken: read the real ones from its log
  local url ui
  url=$(await "$STATE/master.log" "Starting Spark master at spark://" | grep -o 'spark://[^ ]*')
  ui=$(await "$STATE/master.log" "Bound MasterWebUI to" | grep -o 'http://[^ ]*')
  echo "master   $url   UI $ui" > "$STATE/endpoints"
  echo "$url" > "$STATE/master-url"
  for i in $(seq 1 $WORKERS); do
    mkdir -p "$STATE/worker-$i"
    daemon "worker-$i" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 \
      --cores "$WORKER_CORES" --memory "$WORKER_MEMORY" --work-dir "$STATE/worker-$i" \
      --webui-port $((WORKER_UI_PORT + i - 1)) "$url"
  done
  for i in $(seq 1 $WORKERS); do
    await "$STATE/worker-$i.log" "Successfully registered with master" > /dev/null
    ui=$(grep -m 1 -o 'WorkerWebUI.*started at http://[^ ]*' "$STATE/worker-$i.log" | grep -o 'http://[^ ]*')
    echo "worker-$i $WORKER_CORES core(s), $WORKER_MEMORY   UI $ui" >> "$STATE/endpoints"
  done
  cat "$STATE/endpoints"
  echo "logs and pids in $STATE; secret in $STATE/spark-auth.conf (spark.authenticate, encrypted RPC)"
  echo "submit with SPARK_MASTER=$url scripts/submit.sh ... (it hands over the secret)"
}

stop() {
  local stopped=0
  for name in $(seq -f 'worker-%g' "$WORKERS" -1 1) master; do # workers first: each kills its executors
    if alive "$STATE/$name.pid"; then
      local pid
      pid=$(cat "$STATE/$name.pid")
      kill "$pid"
      for _ in $(seq 1 100); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
      if kill -0 "$pid" 2> /dev/null; then kill -9 "$pid"; fi
      echo "stopped $name (pid $pid)"
      stopped=1
    fi
    rm -f "$STATE/$name.pid"
  done
  rm -f "$STATE/endpoints" "$STATE/master-url" "$STATE/spark-auth.conf"
  [ "$stopped" -eq 1 ] || echo "no local cluster was running"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
