#!/usr/bin/env bash
# A local Redis Cluster of three masters (no replicas, no persistence), without Docker: what
# the read models are tested against besides a single Redis (ADR 0037).
#
# Usage: infra/local/redis-cluster.sh up | down | status   (also: start | stop)
#   up      if 127.0.0.1:$REDIS_CLUSTER_PORT answers and its cluster is ok, use it (exit 0);
#           otherwise start three redis-server --cluster-enabled nodes on consecutive ports,
#           join them (redis-cli --cluster create, 0 replicas) and wait for cluster_state:ok
#   down    stop the nodes `up` started (pid files) and delete their cluster state; never
#           touches any other Redis
#   status  exit 0 when the first node answers and reports cluster_state:ok
# Its URL for Rapport: redis-cluster://127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003
#
# Environment (defaults in brackets):
#   RAPPORT_LOCAL_STATE    state root [<repo>/.local-services]; files in $RAPPORT_LOCAL_STATE/redis-cluster
#   REDIS_CLUSTER_PORT     the first node's port; the others follow it [7001]
#   REDIS_CLUSTER_TIMEOUT  seconds to wait for the nodes and for cluster_state:ok [20]
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
STATE_ROOT="${RAPPORT_LOCAL_STATE:-$REPO_ROOT/.local-services}"
[[ "$STATE_ROOT" = /* ]] || STATE_ROOT="$PWD/$STATE_ROOT"

HOST=127.0.0.1
FIRST_PORT="${REDIS_CLUSTER_PORT:-7001}"
PORTS=("$FIRST_PORT" "$((FIRST_PORT + 1))" "$((FIRST_PORT + 2))")
DIR="$STATE_ROOT/redis-cluster"
TIMEOUT="${REDIS_CLUSTER_TIMEOUT:-20}"

log() { printf '[redis-cluster] %s\n' "$*"; }
die() {
  printf '[redis-cluster] ERROR: %s\n' "$*" >&2
  exit 1
}

port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }
cli() { redis-cli -h "$HOST" -p "$1" "${@:2}" 2>/dev/null; }
answers() { [[ "$(cli "$1" PING)" == PONG ]]; }
cluster_ok() { cli "$1" CLUSTER INFO | tr -d '\r' | grep -qx 'cluster_state:ok'; }
url() {
  local nodes=() p
  for p in "${PORTS[@]}"; do nodes+=("$HOST:$p"); done
  local IFS=,
  printf 'redis-cluster://%s' "${nodes[*]}"
}

pid_file() { printf '%s/node-%s.pid' "$DIR" "$1"; }
our_pid() { # the pid of the node on port $1 that `up` started, if it is alive
  local pid
  pid="$([[ -f "$(pid_file "$1")" ]] && tr -dc '0-9' <"$(pid_file "$1")" || true)"
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && ps -p "$pid" -o args= 2>/dev/null | grep -q 'redis-server'; then
    printf '%s' "$pid"
  fi
}

# true (and says whose it is) when a healthy cluster answers on the first port
report_running() {
  answers "$FIRST_PORT" && cluster_ok "$FIRST_PORT" || return 1
  if [[ -n "$(our_pid "$FIRST_PORT")" ]]; then
    log "running (started by this script): $(url)"
  else
    log "running on $HOST:$FIRST_PORT (not started by this script); using it"
  fi
}

cmd_up() {
  command -v redis-server >/dev/null 2>&1 || die "redis-server not found (apt-get install redis-server)"
  command -v redis-cli >/dev/null 2>&1 || die "redis-cli not found (apt-get install redis-tools)"
  report_running && return 0
  local p
  for p in "${PORTS[@]}"; do
    if [[ -z "$(our_pid "$p")" ]] && port_open "$p"; then
      die "port $p is in use by something this script did not start; set REDIS_CLUSTER_PORT"
    fi
  done
  # Nodes left from an earlier run that never formed a cluster: start over from nothing.
  cmd_down >/dev/null
  mkdir -p "$DIR"
  for p in "${PORTS[@]}"; do
    redis-server --daemonize yes --bind "$HOST" --port "$p" \
      --cluster-enabled yes --cluster-config-file "nodes-$p.conf" --cluster-node-timeout 5000 \
      --save "" --appendonly no --dir "$DIR" \
      --logfile "$DIR/node-$p.log" --pidfile "$(pid_file "$p")" </dev/null ||
      die "redis-server on port $p failed to start (see $DIR/node-$p.log)"
  done
  local i
  for p in "${PORTS[@]}"; do
    for ((i = 0; i < TIMEOUT * 10; i++)); do
      answers "$p" && break
      sleep 0.1
    done
    answers "$p" || die "the node on port $p did not answer PING within ${TIMEOUT}s (see $DIR/node-$p.log)"
  done
  local nodes=()
  for p in "${PORTS[@]}"; do nodes+=("$HOST:$p"); done
  redis-cli --cluster create "${nodes[@]}" --cluster-replicas 0 --cluster-yes \
    >"$DIR/create.log" 2>&1 || {
    tail -n 20 "$DIR/create.log" >&2
    die "redis-cli --cluster create failed (see $DIR/create.log)"
  }
  for ((i = 0; i < TIMEOUT * 10; i++)); do
    local all=1
    for p in "${PORTS[@]}"; do cluster_ok "$p" || all=0; done
    if ((all)); then
      log "started three masters: $(url); state in $DIR"
      return 0
    fi
    sleep 0.1
  done
  die "the cluster did not reach cluster_state:ok within ${TIMEOUT}s"
}

cmd_down() {
  local p pid i stopped=0
  for p in "${PORTS[@]}"; do
    pid="$(our_pid "$p")"
    if [[ -n "$pid" ]]; then
      kill -TERM "$pid" 2>/dev/null || true
      for ((i = 0; i < 100; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
      done
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
      stopped=$((stopped + 1))
    elif answers "$p"; then
      log "a Redis not started by this script runs on $HOST:$p; leaving it alone"
      continue
    fi
    # Its cluster identity goes too: the next `up` creates a new cluster.
    rm -f "$(pid_file "$p")" "$DIR/nodes-$p.conf"
  done
  if ((stopped > 0)); then log "stopped $stopped node(s)"; else log "not running"; fi
}

cmd_status() {
  report_running && return 0
  log "no cluster answers on $HOST:$FIRST_PORT"
  return 1
}

case "${1:-}" in
  up | start) cmd_up ;;
  down | stop) cmd_down ;;
  status) cmd_status ;;
  url) url && echo ;;
  *)
    awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "${BASH_SOURCE[0]}" >&2
    exit 2
    ;;
esac
