#!/usr/bin/env bash
# All local services at once: PostgreSQL, Redis and Kafka, without Docker.
#
# Usage: infra/local/services.sh up | down | status [postgres] [redis] [kafka]
#   up      postgres.sh start, redis.sh start, kafka.sh start (stops at the first failure)
#   down    kafka.sh stop, redis.sh stop (only a Redis it started); PostgreSQL is left running
#   status  every service's status; exit 1 when any of them is down
# Naming services limits the command to them. Every variable of the three scripts applies
# (RAPPORT_LOCAL_STATE, PGPORT, PGDATABASE, REDIS_PORT, KAFKA_PORT, ...).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

cmd="${1:-}"
shift || true
services=("$@")
[[ ${#services[@]} -gt 0 ]] || services=(postgres redis kafka)
for s in "${services[@]}"; do
  case "$s" in
    postgres | redis | kafka) ;;
    *)
      echo "[services] unknown service: $s (postgres, redis, kafka)" >&2
      exit 2
      ;;
  esac
done

has() {
  local s
  for s in "${services[@]}"; do [[ "$s" == "$1" ]] && return 0; done
  return 1
}

case "$cmd" in
  up)
    t0=$SECONDS
    if has postgres; then "$SCRIPT_DIR/postgres.sh" start; fi
    if has redis; then "$SCRIPT_DIR/redis.sh" start; fi
    if has kafka; then "$SCRIPT_DIR/kafka.sh" start; fi
    echo "[services] up (${services[*]}) in $((SECONDS - t0))s"
    ;;
  down)
    rc=0
    if has kafka; then "$SCRIPT_DIR/kafka.sh" stop || rc=1; fi
    if has redis; then "$SCRIPT_DIR/redis.sh" stop || rc=1; fi
    if has postgres; then echo "[postgres] left running (the machine's cluster; not stopped by these scripts)"; fi
    exit "$rc"
    ;;
  status)
    rc=0
    if has postgres; then "$SCRIPT_DIR/postgres.sh" check || rc=1; fi
    if has redis; then "$SCRIPT_DIR/redis.sh" status || rc=1; fi
    if has kafka; then "$SCRIPT_DIR/kafka.sh" status || rc=1; fi
    exit "$rc"
    ;;
  *)
    awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "${BASH_SOURCE[0]}" >&2
    exit 2
    ;;
esac
