#!/usr/bin/env bash
# A real single-node Apache Kafka broker (KRaft, combined broker+controller) without Docker.
# The broker jars come from Maven Central through infra/local/kafka/pom.xml.
# Clients authenticate with SASL/SCRAM-SHA-512 and are authorised by ACLs: every principal of
# infra/kafka/acls.json gets a generated password in $RAPPORT_LOCAL_STATE/kafka/credentials/
# (<principal>.password) and the ACLs listed there; `admin` is the super user.
#
# Usage: infra/local/kafka.sh fetch [--force] | start [--fresh] | stop | status | restart [--fresh] | logs [N]
#
# Environment (defaults in brackets):
#   RAPPORT_LOCAL_STATE     state root [<repo>/.local-services]; Kafka lives in $RAPPORT_LOCAL_STATE/kafka
#   KAFKA_PORT              SASL_PLAINTEXT (SCRAM-SHA-512) client listener on 127.0.0.1 [9092]
#   KAFKA_CONTROLLER_PORT   KRaft controller listener (SASL/PLAIN, admin only) on 127.0.0.1 [9093]
#   KAFKA_NUM_PARTITIONS    num.partitions for auto-created topics [4]
#   KAFKA_OFFSETS_TOPIC_PARTITIONS  partitions of __consumer_offsets [10; Kafka's default is 50]
#   KAFKA_HEAP_OPTS         JVM heap ["-Xms256m -Xmx768m"]
#   KAFKA_JVM_OPTS          extra JVM options [none]
#   KAFKA_EXTRA_PROPERTIES  extra server.properties lines (newline separated) [none]
#   KAFKA_START_TIMEOUT     seconds to wait for readiness [90]
#   KAFKA_CLUSTER_ID        cluster id used when formatting a new data dir [random]
#   KAFKA_STOP_TIMEOUT      seconds to wait for a controlled shutdown before SIGKILL [30]
#   KAFKA_MVN_ARGS          extra Maven arguments for fetch, e.g. "-o" or "-s settings.xml" [none]
#   JAVA_HOME               java to use [java on PATH]
#   NODE_PATH               where to find kafkajs when the repo's node_modules has none
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
STATE_ROOT="${RAPPORT_LOCAL_STATE:-$REPO_ROOT/.local-services}"
[[ "$STATE_ROOT" = /* ]] || STATE_ROOT="$PWD/$STATE_ROOT"

KAFKA_DIR="$STATE_ROOT/kafka"
LIB_DIR="$KAFKA_DIR/lib"
DATA_DIR="$KAFKA_DIR/data"
LOG_DIR="$KAFKA_DIR/logs"
CONF_FILE="$KAFKA_DIR/server.properties"
PID_FILE="$KAFKA_DIR/kafka.pid"
LOCK_FILE="$KAFKA_DIR/.lock"
OUT_FILE="$LOG_DIR/kafka.out"
SERVER_LOG="$LOG_DIR/server.log"
FETCH_LOG="$KAFKA_DIR/fetch.log"
POM="$SCRIPT_DIR/kafka/pom.xml"
LOG4J_CONF="$SCRIPT_DIR/kafka/log4j.properties"
WAIT_JS="$SCRIPT_DIR/wait-for-kafka.js"
ACLS_JS="$SCRIPT_DIR/kafka-acls.js"
CRED_DIR="$KAFKA_DIR/credentials"
ADMIN_CLIENT_CONF="$CRED_DIR/admin.properties"
# Which SCRAM users the data directory holds ("<name> <sha256 of the password>" per line).
USERS_STAMP="$DATA_DIR/rapport-scram-users"
SUPER_USER=admin

KAFKA_HOST=127.0.0.1
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_NUM_PARTITIONS="${KAFKA_NUM_PARTITIONS:-4}"
KAFKA_OFFSETS_TOPIC_PARTITIONS="${KAFKA_OFFSETS_TOPIC_PARTITIONS:-10}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx768m}"
KAFKA_JVM_OPTS="${KAFKA_JVM_OPTS:-}"
KAFKA_EXTRA_PROPERTIES="${KAFKA_EXTRA_PROPERTIES:-}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
KAFKA_STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
KAFKA_MVN_ARGS="${KAFKA_MVN_ARGS:-}"
if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then JAVA="$JAVA_HOME/bin/java"; else JAVA=java; fi

log() { printf '[kafka] %s\n' "$*"; }
err() { printf '[kafka] %s\n' "$*" >&2; }
die() { err "ERROR: $*"; exit 1; }
now() { date +%s.%N 2>/dev/null | cut -c1-14; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

need() { command -v "$1" >/dev/null 2>&1 || die "'$1' not found on PATH ($2)"; }

# --- process / port helpers -----------------------------------------------------------------
read_pid() { [[ -f "$PID_FILE" ]] && tr -dc '0-9' <"$PID_FILE" || true; }

# true when $1 is a live process running kafka.Kafka (guards against a recycled pid)
is_broker_pid() {
  local pid="${1:-}"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && ps -p "$pid" -o args= 2>/dev/null | grep -q 'kafka\.Kafka'
}

port_open() { (exec 3<>"/dev/tcp/$KAFKA_HOST/$1") 2>/dev/null; }

# real metadata round trip as the admin (kafkajs admin, or built-in SASL/SCRAM + Metadata requests
# when kafkajs is absent)
probe() { # $1 timeout seconds, $2 optional pid, $3 optional --quiet
  local args=(--brokers "$KAFKA_HOST:$KAFKA_PORT" --timeout "$1"
    --username "$SUPER_USER" --password-file "$CRED_DIR/$SUPER_USER.password")
  [[ -n "${2:-}" ]] && args+=(--pid "$2")
  [[ -n "${3:-}" ]] && args+=("$3")
  node "$WAIT_JS" "${args[@]}"
}

# true when some Kafka broker answers on the port (ApiVersions, which needs no authentication)
any_kafka() { node "$WAIT_JS" --brokers "$KAFKA_HOST:$KAFKA_PORT" --timeout "$1" --any-kafka --quiet; }

take_lock() {
  mkdir -p "$KAFKA_DIR"
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$LOCK_FILE"
    flock -w 300 9 || die "another kafka.sh holds $LOCK_FILE"
  fi
}

show_logs() { # $1 lines
  local n="${1:-50}" f
  for f in "$SERVER_LOG" "$OUT_FILE"; do
    if [[ -s "$f" ]]; then
      err "---- last $n lines of $f ----"
      tail -n "$n" "$f" >&2 || true
    fi
  done
}

# --- fetch ------------------------------------------------------------------------------------
pom_stamp() { cksum <"$POM" | awk '{print $1 "-" $2}'; }

jars_present() {
  [[ -f "$LIB_DIR/.fetched" && "$(cat "$LIB_DIR/.fetched")" == "$(pom_stamp)" ]] &&
    compgen -G "$LIB_DIR/kafka_2.13-*.jar" >/dev/null
}

cmd_fetch() {
  local force="${1:-}"
  mkdir -p "$KAFKA_DIR"
  if [[ "$force" != "--force" ]] && jars_present; then
    log "jars already in $LIB_DIR ($(ls "$LIB_DIR"/kafka_2.13-*.jar | xargs -n1 basename))"
    return 0
  fi
  need mvn "install Maven; the jars come from Maven Central"
  local t0 tmp
  t0="$(now)"
  tmp="$KAFKA_DIR/lib.tmp.$$"
  rm -rf "$tmp"
  log "fetching broker jars with Maven (pom: ${POM#"$REPO_ROOT"/}) ..."
  # shellcheck disable=SC2086 # KAFKA_MVN_ARGS is a list of words on purpose
  if ! mvn -B -ntp -Dstyle.color=never $KAFKA_MVN_ARGS -f "$POM" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$tmp" </dev/null >"$FETCH_LOG" 2>&1; then
    rm -rf "$tmp"
    err "---- $FETCH_LOG ----"
    tail -n 60 "$FETCH_LOG" >&2 || true
    die "Maven could not fetch the Kafka jars"
  fi
  pom_stamp >"$tmp/.fetched"
  rm -rf "$LIB_DIR"
  mv "$tmp" "$LIB_DIR"
  log "fetched $(ls "$LIB_DIR"/*.jar | wc -l | tr -d ' ') jars into $LIB_DIR in $(elapsed "$t0")s"
}

# --- credentials --------------------------------------------------------------------------------
principals() { node "$ACLS_JS" principals; }

password_of() { tr -d '[:space:]' <"$CRED_DIR/$1.password"; }

password_hash() { printf '%s' "$(password_of "$1")" | sha256sum | awk '{print $1}'; }

# One random password per principal of infra/kafka/acls.json, generated once and kept (also
# across --fresh); 32 hex digits, so that it needs no quoting in JAAS or --add-scram.
ensure_credentials() {
  local name
  mkdir -p "$CRED_DIR"
  chmod 700 "$CRED_DIR"
  for name in $(principals); do
    [[ -s "$CRED_DIR/$name.password" ]] && continue
    (umask 077 && node -e "process.stdout.write(require('crypto').randomBytes(16).toString('hex'))" \
      >"$CRED_DIR/$name.password")
  done
  # client settings for Kafka's own Java tools (ConfigCommand --command-config)
  (
    umask 077
    cat >"$ADMIN_CLIENT_CONF" <<EOF
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="$SUPER_USER" password="$(password_of "$SUPER_USER")";
EOF
  )
}

# --- config + storage ----------------------------------------------------------------------------
write_config() {
  mkdir -p "$DATA_DIR" "$LOG_DIR"
  local admin_password
  admin_password="$(password_of "$SUPER_USER")"
  (
    umask 077
    cat >"$CONF_FILE" <<EOF
# Generated by infra/local/kafka.sh on every start; edit the script or use KAFKA_* variables instead.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
listeners=SASL_PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT,CONTROLLER://$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=SASL_PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT
inter.broker.listener.name=SASL_PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:SASL_PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT
# Clients (and the broker to itself) authenticate with SCRAM-SHA-512; the users live in the
# cluster metadata (created at format time, KIP-900). The controller listener takes only the
# admin, with SASL/PLAIN from this file: SCRAM users cannot authenticate to a KRaft controller.
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="$SUPER_USER" password="$admin_password";
sasl.mechanism.controller.protocol=PLAIN
listener.name.controller.sasl.enabled.mechanisms=PLAIN
listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="$SUPER_USER" password="$admin_password" user_$SUPER_USER="$admin_password";
# Only what infra/kafka/acls.json allows; the admin may do everything.
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:$SUPER_USER
log.dirs=$DATA_DIR
num.partitions=$KAFKA_NUM_PARTITIONS
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=$KAFKA_OFFSETS_TOPIC_PARTITIONS
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
delete.topic.enable=true
# A deleted topic's files go within a second, not a minute later (the default): tests and
# benchmarks create and delete many short-lived topics, and a minute-late clean-up of the
# last run's partitions would land in the middle of the next run.
file.delete.delay.ms=1000
$KAFKA_EXTRA_PROPERTIES
EOF
  )
}

# The principals whose SCRAM user is missing from the data directory or has another password.
users_to_sync() {
  local name
  for name in $(principals); do
    grep -qxF "$name $(password_hash "$name")" "$USERS_STAMP" 2>/dev/null || echo "$name"
  done
}

stamp_user() { # $1 name: the data directory now holds this user with its current password
  local name="$1"
  {
    grep -v "^$name " "$USERS_STAMP" 2>/dev/null || true
    echo "$name $(password_hash "$name")"
  } >"$USERS_STAMP.tmp"
  mv -f "$USERS_STAMP.tmp" "$USERS_STAMP"
}

# A data directory formatted without SCRAM users (before authentication was switched on), or
# whose admin has another password than the credentials directory: the broker could not
# authenticate even to itself, so the directory is formatted again (its topics are lost; the
# event log is elsewhere).
check_storage_users() {
  [[ -f "$DATA_DIR/meta.properties" ]] || return 0
  grep -qxF "$SUPER_USER $(password_hash "$SUPER_USER")" "$USERS_STAMP" 2>/dev/null && return 0
  err "$DATA_DIR has no SCRAM user '$SUPER_USER' with the password in $CRED_DIR (formatted before"
  err "authentication was switched on, or the credentials were deleted): formatting it again; its topics are lost"
  rm -rf "$DATA_DIR"
  mkdir -p "$DATA_DIR"
}

format_storage() {
  if [[ -f "$DATA_DIR/meta.properties" ]]; then
    return 0
  fi
  # A Kafka Uuid: 16 random bytes in URL-safe base64 (what `kafka.tools.StorageTool random-uuid`
  # prints, minus a JVM start); like Uuid.randomUuid() it never starts with '-'.
  local cluster_id="${KAFKA_CLUSTER_ID:-}"
  if [[ -z "$cluster_id" ]]; then
    cluster_id="$(node -e "const c = require('crypto'); let s;
      do s = c.randomBytes(16).toString('base64url'); while (s.startsWith('-'));
      process.stdout.write(s);")"
  fi
  # Every principal's SCRAM-SHA-512 credential goes into the first metadata records (KIP-900).
  # The passwords are on this short-lived command line; the StorageTool has no other way in.
  local name names scram=()
  names="$(principals)"
  for name in $names; do
    scram+=(--add-scram "SCRAM-SHA-512=[name=$name,password=$(password_of "$name")]")
  done
  log "formatting $DATA_DIR (cluster id $cluster_id; SCRAM users: $(echo $names))"
  if ! "$JAVA" -Dlog4j.configuration="file:$LOG4J_CONF" -Dkafka.logs.dir="$LOG_DIR" -cp "$LIB_DIR/*" \
    kafka.tools.StorageTool format -t "$cluster_id" -c "$CONF_FILE" "${scram[@]}" </dev/null >>"$OUT_FILE" 2>&1; then
    show_logs 30
    die "formatting the storage failed"
  fi
  : >"$USERS_STAMP"
  for name in $names; do stamp_user "$name"; done
}

# Users added to infra/kafka/acls.json after the data directory was formatted (or whose password
# file changed) are created through Kafka's ConfigCommand as the admin; the password goes in a
# private file (--add-config-file), not on the command line.
sync_users() {
  local name file missing
  missing="$(users_to_sync)"
  [[ -n "$missing" ]] || return 0
  for name in $missing; do
    log "creating SCRAM user $name (ConfigCommand)"
    file="$CRED_DIR/.scram-$name.properties"
    (umask 077 && printf 'SCRAM-SHA-512=password=%s\n' "$(password_of "$name")" >"$file")
    # its own log4j output goes to logs/tools/, not into the broker's server.log
    if ! "$JAVA" -Dlog4j.configuration="file:$LOG4J_CONF" -Dkafka.logs.dir="$LOG_DIR/tools" -cp "$LIB_DIR/*" \
      kafka.admin.ConfigCommand --bootstrap-server "$KAFKA_HOST:$KAFKA_PORT" \
      --command-config "$ADMIN_CLIENT_CONF" --alter --entity-type users --entity-name "$name" \
      --add-config-file "$file" </dev/null >>"$OUT_FILE" 2>&1; then
      rm -f "$file"
      show_logs 20
      die "could not create the SCRAM user $name"
    fi
    rm -f "$file"
    stamp_user "$name"
  done
}

# The ACLs of infra/kafka/acls.json (kafkajs as the admin; creating an existing ACL changes nothing).
apply_acls() {
  local rc=0
  node "$ACLS_JS" apply --brokers "$KAFKA_HOST:$KAFKA_PORT" --username "$SUPER_USER" \
    --password-file "$CRED_DIR/$SUPER_USER.password" || rc=$?
  if [[ $rc -eq 2 ]]; then
    err "WARNING: no ACLs applied (kafkajs not found); only '$SUPER_USER' can use the broker"
  elif [[ $rc -ne 0 ]]; then
    die "applying the ACLs of infra/kafka/acls.json failed"
  fi
}

# --- start / stop / status --------------------------------------------------------------------------
kill_broker() { # $1 pid; SIGTERM (controlled shutdown), then SIGKILL after KAFKA_STOP_TIMEOUT
  local pid="$1" i
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < KAFKA_STOP_TIMEOUT * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  err "broker (pid $pid) still alive after ${KAFKA_STOP_TIMEOUT}s; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  die "could not kill pid $pid"
}

cmd_start() {
  local fresh=""
  case "${1:-}" in
    --fresh) fresh=1 ;;
    "") ;;
    *) die "unknown option for start: $1" ;;
  esac
  need node "Node.js is needed for the readiness check"
  need "$JAVA" "install a JDK/JRE 11+ or set JAVA_HOME"
  take_lock

  local pid
  pid="$(read_pid)"
  if is_broker_pid "$pid"; then
    if [[ -n "$fresh" ]]; then
      log "--fresh: stopping the running broker (pid $pid) first"
      kill_broker "$pid"
      rm -f "$PID_FILE"
    elif port_open "$KAFKA_PORT"; then
      log "already running (pid $pid) on $KAFKA_HOST:$KAFKA_PORT"
      grep -q '^authorizer.class.name=' "$CONF_FILE" 2>/dev/null ||
        die "the running broker (pid $pid) was started without authentication by an older kafka.sh; run: $0 restart"
      probe 30 "$pid" --quiet || die "the broker (pid $pid) answers on the port but not to metadata requests as '$SUPER_USER'"
      sync_users
      apply_acls
      return 0
    else
      log "broker (pid $pid) is running but not listening yet; waiting"
      if probe "$KAFKA_START_TIMEOUT" "$pid"; then
        sync_users
        apply_acls
        return 0
      fi
      show_logs 50
      die "broker (pid $pid) did not become ready"
    fi
  fi
  [[ -f "$PID_FILE" ]] && rm -f "$PID_FILE" # stale

  if port_open "$KAFKA_PORT"; then
    if any_kafka 10; then
      [[ -z "$fresh" ]] || die "--fresh: a Kafka not started by this script is listening on $KAFKA_PORT; refusing to touch it"
      log "a Kafka broker not started by this script already answers on $KAFKA_HOST:$KAFKA_PORT; using it" \
        "(the credentials in $CRED_DIR may not be its users)"
      return 0
    fi
    die "port $KAFKA_PORT is in use by something that is not a Kafka broker (set KAFKA_PORT)"
  fi
  port_open "$KAFKA_CONTROLLER_PORT" && die "controller port $KAFKA_CONTROLLER_PORT is in use (set KAFKA_CONTROLLER_PORT)"

  jars_present || cmd_fetch

  if [[ -n "$fresh" ]]; then
    log "--fresh: wiping $DATA_DIR"
    rm -rf "$DATA_DIR"
  fi
  mkdir -p "$LOG_DIR"
  # keep the previous run's logs as *.prev so that a failure shows only this run's lines
  local f
  for f in "$OUT_FILE" "$SERVER_LOG"; do
    if [[ -f "$f" ]]; then mv -f "$f" "$f.prev"; fi
  done
  : >"$OUT_FILE"
  ensure_credentials
  write_config
  check_storage_users
  format_storage

  local t0 heap extra
  t0="$(now)"
  read -r -a heap <<<"$KAFKA_HEAP_OPTS"
  read -r -a extra <<<"$KAFKA_JVM_OPTS"
  # Same GC flags as Kafka's bin/kafka-run-class.sh. fd 9 (the lock) is closed for the broker.
  nohup "$JAVA" "${heap[@]}" \
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent \
    -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$LOG4J_CONF" -Dkafka.logs.dir="$LOG_DIR" \
    ${extra[@]+"${extra[@]}"} \
    -cp "$LIB_DIR/*" kafka.Kafka "$CONF_FILE" \
    </dev/null >>"$OUT_FILE" 2>&1 9>&- &
  pid=$!
  echo "$pid" >"$PID_FILE"
  log "started broker pid $pid (logs: $LOG_DIR); waiting for readiness (timeout ${KAFKA_START_TIMEOUT}s)"

  local rc=0
  probe "$KAFKA_START_TIMEOUT" "$pid" || rc=$?
  if [[ $rc -ne 0 ]]; then
    show_logs 50
    if is_broker_pid "$pid"; then
      err "stopping the broker that did not become ready"
      kill_broker "$pid" || true
    fi
    rm -f "$PID_FILE"
    die "Kafka did not become ready (wait-for-kafka exit $rc)"
  fi
  sync_users
  apply_acls
  log "ready on $KAFKA_HOST:$KAFKA_PORT after $(elapsed "$t0")s (pid $pid; SASL/SCRAM-SHA-512, credentials in $CRED_DIR)"
}

cmd_stop() {
  take_lock
  local pid
  pid="$(read_pid)"
  if ! is_broker_pid "$pid"; then
    rm -f "$PID_FILE"
    if port_open "$KAFKA_PORT"; then
      log "not started by this script, but something listens on $KAFKA_PORT; leaving it alone"
    else
      log "not running"
    fi
    return 0
  fi
  local t0
  t0="$(now)"
  log "stopping broker pid $pid (SIGTERM, up to ${KAFKA_STOP_TIMEOUT}s)"
  kill_broker "$pid"
  rm -f "$PID_FILE"
  log "stopped in $(elapsed "$t0")s"
}

cmd_status() {
  local pid
  pid="$(read_pid)"
  if is_broker_pid "$pid"; then
    if probe 10 "$pid" --quiet; then
      log "running (pid $pid) and reachable on $KAFKA_HOST:$KAFKA_PORT"
      return 0
    fi
    log "process $pid is alive but $KAFKA_HOST:$KAFKA_PORT is not answering metadata requests"
    return 1
  fi
  if port_open "$KAFKA_PORT" && any_kafka 5; then
    log "a Kafka broker not started by this script is reachable on $KAFKA_HOST:$KAFKA_PORT"
    return 0
  fi
  log "not running"
  return 1
}

usage() {
  awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "${BASH_SOURCE[0]}"
}

main() {
  local cmd="${1:-}"
  shift || true
  case "$cmd" in
    fetch) cmd_fetch "$@" ;;
    start) cmd_start "$@" ;;
    stop) cmd_stop ;;
    restart)
      cmd_stop
      exec 9>&- # release the lock before start takes it again
      cmd_start "$@"
      ;;
    status) cmd_status ;;
    logs) tail -n "${1:-100}" "$SERVER_LOG" ;;
    -h | --help | help) usage ;;
    *)
      usage >&2
      exit 2
      ;;
  esac
}

main "$@"
