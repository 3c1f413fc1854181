#!/usr/bin/env bash
# A local Redis for development and tests, without Docker.
#
# Usage: infra/local/redis.sh start | stop | status
#   start   if something already answers PING on 127.0.0.1:$REDIS_PORT, use it (exit 0);
#           otherwise start redis-server (daemonized, no persistence) and wait for PING
#   stop    stop the Redis that `start` launched (pid file); never touches any other Redis
#   status  exit 0 when 127.0.0.1:$REDIS_PORT answers PING
#
# Environment (defaults in brackets):
#   RAPPORT_LOCAL_STATE   state root [<repo>/.local-services]; Redis files in $RAPPORT_LOCAL_STATE/redis
#   REDIS_PORT            [6379]
#   REDIS_START_TIMEOUT   seconds to wait for PING after starting [15]
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
STATE_ROOT="${RAPPORT_LOCAL_STATE:-$REPO_ROOT/.local-services}"
[[ "$STATE_ROOT" = /* ]] || STATE_ROOT="$PWD/$STATE_ROOT"

REDIS_HOST=127.0.0.1
REDIS_PORT="${REDIS_PORT:-6379}"
REDIS_DIR="$STATE_ROOT/redis"
PID_FILE="$REDIS_DIR/redis-$REDIS_PORT.pid"
LOG_FILE="$REDIS_DIR/redis-$REDIS_PORT.log"
REDIS_START_TIMEOUT="${REDIS_START_TIMEOUT:-15}"

log() { printf '[redis] %s\n' "$*"; }
die() {
  printf '[redis] ERROR: %s\n' "$*" >&2
  exit 1
}

port_open() { (exec 3<>"/dev/tcp/$REDIS_HOST/$REDIS_PORT") 2>/dev/null; }

# PING over a plain socket (no redis-cli needed); true on +PONG
ping() {
  local reply=""
  reply="$(
    exec 2>/dev/null
    exec 3<>"/dev/tcp/$REDIS_HOST/$REDIS_PORT" || exit 1
    printf 'PING\r\n' >&3
    IFS= read -r -t 2 line <&3 || exit 1
    printf '%s' "$line"
  )" || return 1
  [[ "$reply" == +PONG* ]]
}

read_pid() { [[ -f "$PID_FILE" ]] && tr -dc '0-9' <"$PID_FILE" || true; }

our_pid() { # prints the pid of the redis-server we started, if it is alive
  local pid
  pid="$(read_pid)"
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && ps -p "$pid" -o args= 2>/dev/null | grep -q 'redis-server'; then
    printf '%s' "$pid"
  fi
}

cmd_start() {
  local pid
  pid="$(our_pid)"
  if ping; then
    if [[ -n "$pid" ]]; then
      log "already running (pid $pid, started by this script) on $REDIS_HOST:$REDIS_PORT"
    else
      log "a Redis not started by this script answers PING on $REDIS_HOST:$REDIS_PORT; using it"
    fi
    return 0
  fi
  if port_open; then
    die "port $REDIS_PORT is in use but does not answer PING (auth required, or not Redis); set REDIS_PORT"
  fi
  command -v redis-server >/dev/null 2>&1 || die "redis-server not found (apt-get install redis-server)"
  mkdir -p "$REDIS_DIR"
  rm -f "$PID_FILE"
  redis-server --daemonize yes --bind "$REDIS_HOST" --port "$REDIS_PORT" \
    --save "" --appendonly no --dir "$REDIS_DIR" \
    --logfile "$LOG_FILE" --pidfile "$PID_FILE" </dev/null ||
    die "redis-server failed to start (see $LOG_FILE)"
  local i
  for ((i = 0; i < REDIS_START_TIMEOUT * 10; i++)); do
    if ping; then
      log "started (pid $(read_pid)) on $REDIS_HOST:$REDIS_PORT; log $LOG_FILE"
      return 0
    fi
    sleep 0.1
  done
  tail -n 30 "$LOG_FILE" >&2 2>/dev/null || true
  die "redis-server did not answer PING within ${REDIS_START_TIMEOUT}s"
}

cmd_stop() {
  local pid i
  pid="$(our_pid)"
  if [[ -z "$pid" ]]; then
    rm -f "$PID_FILE"
    if ping; then
      log "a Redis not started by this script runs on $REDIS_HOST:$REDIS_PORT; leaving it alone"
    else
      log "not running"
    fi
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PID_FILE"
      log "stopped (pid $pid)"
      return 0
    fi
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$PID_FILE"
  log "killed (pid $pid) after 10s"
}

cmd_status() {
  local pid
  pid="$(our_pid)"
  if ping; then
    if [[ -n "$pid" ]]; then
      log "running (pid $pid, started by this script) on $REDIS_HOST:$REDIS_PORT"
    else
      log "running on $REDIS_HOST:$REDIS_PORT (not started by this script)"
    fi
    return 0
  fi
  log "not answering PING on $REDIS_HOST:$REDIS_PORT"
  return 1
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *)
    awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "${BASH_SOURCE[0]}" >&2
    exit 2
    ;;
esac
