#!/usr/bin/env bash
# All local services at once: PostgreSQL, Redis, a three-master Redis Cluster and Kafka,
# without Docker.
#
# Usage: infra/local/services.sh up | down | status [postgres] [redis] [redis-cluster] [kafka]
#   up      postgres.sh start, redis.sh start, redis-cluster.sh up, kafka.sh start (stops at
#           the first failure)
#   down    kafka.sh stop, redis-cluster.sh down, redis.sh stop (only what they started);
#           PostgreSQL is left running
#   status  every service's status; exit 1 when any of them is down
# Naming services limits the command to them. Every variable of the scripts applies
# (RAPPORT_LOCAL_STATE, PGPORT, PGDATABASE, REDIS_PORT, REDIS_CLUSTER_PORT, KAFKA_PORT, ...).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

cmd="${1:-}"
shift || true
services=("$@")
[[ ${#services[@]} -gt 0 ]] || services=(postgres redis redis-cluster kafka)
for s in "${services[@]}"; do
  case "$s" in
    postgres | redis | redis-cluster | kafka) ;;
    *)
      echo "[services] unknown service: $s (postgres, redis, redis-cluster, kafka)" >&2
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
    if has redis-cluster; then "$SCRIPT_DIR/redis-cluster.sh" up; fi
    if has kafka; then "$SCRIPT_DIR/kafka.sh" start; fi
    echo "[services] up (${services[*]}) in $((SECONDS - t0))s"
    ;;
  down)
    rc=0
    if has kafka; then "$SCRIPT_DIR/kafka.sh" stop || rc=1; fi
    if has redis-cluster; then "$SCRIPT_DIR/redis-cluster.sh" down || rc=1; fi
    if has redis; then "$SCRIPT_DIR/redis.sh" stop || rc=1; fi
    if has postgres; then echo "[postgres] left running (the machine's cluster; not stopped by these scripts)"; fi
    exit "$rc"
    ;;
  status)
    rc=0
    if has postgres; then "$SCRIPT_DIR/postgres.sh" check || rc=1; fi
    if has redis; then "$SCRIPT_DIR/redis.sh" status || rc=1; fi
    if has redis-cluster; then "$SCRIPT_DIR/redis-cluster.sh" status || rc=1; fi
    if has kafka; then "$SCRIPT_DIR/kafka.sh" status || rc=1; fi
    exit "$rc"
    ;;
  *)
    awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "${BASH_SOURCE[0]}" >&2
    exit 2
    ;;
esac
