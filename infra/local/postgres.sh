#!/usr/bin/env bash
# PostgreSQL for development and tests, without Docker: checks (and if needed starts) the
# machine's own PostgreSQL cluster, and makes sure the database exists.
#
# Usage: infra/local/postgres.sh check | start | status
#   check   read-only: exit 0 when the server accepts connections and $PGDATABASE exists
#   status  same as check
#   start   if the server is not up, `pg_ctlcluster --skip-systemctl-redirect <version> <cluster> start`
#           (Debian/Ubuntu postgresql-common), wait until it accepts connections, then
#           create $PGDATABASE when missing. There is no stop: the cluster belongs to the machine.
#
# Environment (defaults in brackets; the libpq variables are used as psql/createdb use them):
#   PGHOST [127.0.0.1]  PGPORT [5432]  PGUSER [postgres]  PGDATABASE [test]  PGPASSWORD [unset]
#   PG_CLUSTER_VERSION  cluster version for pg_ctlcluster [highest under /etc/postgresql]
#   PG_CLUSTER_NAME     cluster name [main]
#   PG_START_TIMEOUT    seconds to wait for the server after starting it [30]
set -euo pipefail

export PGHOST="${PGHOST:-127.0.0.1}"
export PGPORT="${PGPORT:-5432}"
export PGUSER="${PGUSER:-postgres}"
export PGCONNECT_TIMEOUT="${PGCONNECT_TIMEOUT:-5}"
DB="${PGDATABASE:-test}"
unset PGDATABASE # connect to the maintenance database for the checks below
PG_CLUSTER_NAME="${PG_CLUSTER_NAME:-main}"
PG_START_TIMEOUT="${PG_START_TIMEOUT:-30}"

log() { printf '[postgres] %s\n' "$*"; }
die() {
  printf '[postgres] ERROR: %s\n' "$*" >&2
  exit 1
}

command -v pg_isready >/dev/null 2>&1 || die "pg_isready not found (apt-get install postgresql-client)"

ready() { pg_isready -q -h "$PGHOST" -p "$PGPORT" -t 3 </dev/null; }

# psql with the database name passed as a psql variable (quoted by psql, not by us)
db_exists() {
  local out
  out="$(psql -X -q -t -A -d postgres -v db="$DB" <<<"SELECT 1 FROM pg_database WHERE datname = :'db';")" ||
    die "cannot query $PGHOST:$PGPORT as $PGUSER (check PGUSER/PGPASSWORD)"
  [[ "$out" == 1 ]]
}

cmd_check() {
  if ! ready; then
    log "not accepting connections on $PGHOST:$PGPORT (try: infra/local/postgres.sh start)"
    return 1
  fi
  if ! db_exists; then
    log "server up on $PGHOST:$PGPORT but database '$DB' does not exist (infra/local/postgres.sh start creates it)"
    return 1
  fi
  log "ready on $PGHOST:$PGPORT, database '$DB' exists (user $PGUSER)"
}

start_cluster() {
  command -v pg_ctlcluster >/dev/null 2>&1 ||
    die "not running on $PGHOST:$PGPORT and pg_ctlcluster is not available to start it"
  local version="${PG_CLUSTER_VERSION:-}"
  if [[ -z "$version" ]]; then
    version="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)"
  fi
  [[ -n "$version" ]] || die "no cluster under /etc/postgresql; set PG_CLUSTER_VERSION"
  log "starting cluster $version/$PG_CLUSTER_NAME"
  pg_ctlcluster --skip-systemctl-redirect "$version" "$PG_CLUSTER_NAME" start </dev/null ||
    die "pg_ctlcluster $version $PG_CLUSTER_NAME start failed (needs root or the postgres user)"
  local i
  for ((i = 0; i < PG_START_TIMEOUT * 2; i++)); do
    ready && return 0
    sleep 0.5
  done
  die "PostgreSQL did not accept connections within ${PG_START_TIMEOUT}s"
}

cmd_start() {
  if ready; then
    log "already accepting connections on $PGHOST:$PGPORT"
  else
    start_cluster
    log "accepting connections on $PGHOST:$PGPORT"
  fi
  if db_exists; then
    log "database '$DB' exists"
  else
    createdb -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" "$DB" </dev/null || die "createdb $DB failed"
    log "created database '$DB'"
  fi
}

case "${1:-}" in
  check | status) cmd_check ;;
  start) cmd_start ;;
  *)
    awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "${BASH_SOURCE[0]}" >&2
    exit 2
    ;;
esac
