#!/usr/bin/env bash
# Runs the whole local stack without Docker: Kafka broker, PostgreSQL, then the gateway in the foreground.
# Ctrl-C (or SIGTERM to this script, or `kill %1` when backgrounded) stops what this script started, and
# only that: a broker or private PostgreSQL that was already running, and the shared PostgreSQL, stay up.
#
#   ./scripts/run-local.sh
#
# Environment (all optional):
#   QUARKUS_HTTP_PORT (8080)        the gateway's port (the API)
#   QUARKUS_MANAGEMENT_PORT (9000)  the gateway's management port: health, metrics, the OpenAPI document
#   KAFKA_PORT, KAFKA_CONTROLLER_PORT, CASCADE_DB_*  see scripts/kafka-broker.sh and scripts/postgres.sh
#   CASCADE_TOPICS_*, KAFKA_PARTITIONS_*, KAFKA_RETENTION_MS_*
#                                   topic names, partitions and retention: the broker script creates each topic with
#                                   them (see scripts/kafka-broker.sh, docs/events.md); the gateway reads the same
#                                   CASCADE_TOPICS_* names (cascade.topics.*)
#   GATEWAY_BOOTSTRAP_API_KEY       first API key; else one kept in <state>/bootstrap-api-key
#   GATEWAY_ADMIN_TOKEN             operator token (32 characters or more, or the gateway refuses to start);
#                                   else a random one kept in <state>/admin-token
#   JAVA_OPTS                       the gateway JVM's options; replaces the memory budget below (GATEWAY_JVM_OPTS)
#   JAVA_OPTS_APPEND                options added after JAVA_OPTS or the budget (e.g. -Dcascade.providers.x.y=z)
#   MALLOC_ARENA_MAX (2)            glibc malloc arenas of the gateway (docs/performance.md, "Memory")
#   CASCADE_CDS (1)                 0: start without the AppCDS archives of target/quarkus-app (with them, the
#                                   gateway runs in target/quarkus-app: give file settings as absolute paths)
#   CASCADE_ROLES (all)             the gateway's roles (cascade.roles); passed through like every CASCADE_* setting
#   CASCADE_SKIP_BUILD=1            never build; use target/quarkus-app as it is
#   CASCADE_GATEWAY_CMD             a command to run instead of the gateway jar (tests of this script)
#   CASCADE_READY_TIMEOUT (180)     seconds to wait for /q/health/ready (on the management port)
#   CASCADE_STATE_DIR (.local-stack) where everything the local stack writes goes
set -euo pipefail

# shellcheck source=scripts/lib/common.sh
source "$(dirname "$0")/lib/common.sh"
SCRIPTS="$REPO_ROOT/scripts"

HTTP_PORT="${QUARKUS_HTTP_PORT:-8080}"
MANAGEMENT_PORT="${QUARKUS_MANAGEMENT_PORT:-9000}"
export KAFKA_PORT="${KAFKA_PORT:-9092}"
READY_TIMEOUT="${CASCADE_READY_TIMEOUT:-180}"
JAR="$REPO_ROOT/target/quarkus-app/quarkus-run.jar"
# AppCDS archive, made by every build next to the jar (quarkus.package.jar.appcds.enabled): start-up maps the classes
# of the application's static initialisation from it instead of loading them from the jars (docs/performance.md,
# "Start-up"); the container image and the tests start from it.
APP_DIR="$REPO_ROOT/target/quarkus-app"
CDS_ARCHIVE="$APP_DIR/app-cds.jsa"
# The trained archive: every class a whole start of the gateway loads (against the broker and the database, with
# the channels, Flyway and the persistence unit), where the build's holds only what the static initialisation loads.
# It is made once per build, by a training start of the gateway that is stopped once it has started (the JVM writes
# the archive as it exits), before the gateway's real start (docs/performance.md, "Start-up").
TRAINED_ARCHIVE="$APP_DIR/app-cds-trained.jsa"
# The training JVM writes the archive here; it is moved into place only once whole (stacks may share the build).
RECORDING="$APP_DIR/.app-cds-trained.$$.jsa"
# The gateway's memory budget: RSS within about 400 MB under load (docs/performance.md, "Memory", says why each value).
# Keep in step with deploy/container/Dockerfile.jvm and src/test/java/dev/cascade/testing/GatewayProcess.java.
# -XX:TieredStopAtLevel=1 (C1 only): on 2 cores shared with Kafka and PostgreSQL, C2 compilations took half of all
# CPU samples for minutes after a start and doubled the CPU per submit (docs/performance.md, "Where the CPU goes").
GATEWAY_JVM_OPTS="-Xms128m -Xmx128m -XX:+UseG1GC -XX:MetaspaceSize=128m -XX:MaxMetaspaceSize=192m
  -XX:ReservedCodeCacheSize=96m -XX:MaxDirectMemorySize=64m -Djdk.nio.maxCachedBufferSize=262144
  -XX:TieredStopAtLevel=1 -XX:+ExitOnOutOfMemoryError"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

RUN_PID_FILE="$STATE_DIR/run-local.pid"
GW_PID_FILE="$STATE_DIR/gateway.pid"
GW_LOG="$STATE_DIR/gateway.log"
KEY_FILE="$STATE_DIR/bootstrap-api-key"
TOKEN_FILE="$STATE_DIR/admin-token"

# --- what this run owns, and how it lets go -------------------------------------------------------

MAY_STOP_KAFKA=0 # the broker was not running before this run
MAY_STOP_PG=0    # no private PostgreSQL was running before this run
GW_PID=""
STEP_PID=""
CLEANED=0

cleanup() {
  ((CLEANED)) && return 0
  CLEANED=1
  set +e
  trap '' INT TERM HUP # finish the shutdown even when Ctrl-C is pressed again
  if [[ -n "$STEP_PID" ]] && pid_alive "$STEP_PID"; then
    stop_tree "$STEP_PID" "the current start-up step" 20
  fi
  if [[ -n "$GW_PID" ]]; then
    stop_tree "$GW_PID" "gateway" 30
    wait "$GW_PID" 2>/dev/null
  fi
  rm -f "$GW_PID_FILE" "$RECORDING"
  if ((MAY_STOP_KAFKA)); then
    "$SCRIPTS/kafka-broker.sh" stop
  fi
  if ((MAY_STOP_PG)) && [[ -n "$("$SCRIPTS/postgres.sh" private-pid)" ]]; then
    "$SCRIPTS/postgres.sh" stop
  fi
  rm -f "$RUN_PID_FILE"
  log "local stack stopped"
}

on_signal() {
  echo >&2
  log "received SIG$1: shutting down"
  cleanup
  exit "$2"
}

# run_step CMD...: runs CMD as a background child and waits for it, so that a signal is handled at once
# instead of after CMD finishes (bash defers traps while a foreground child runs).
run_step() {
  "$@" &
  STEP_PID=$!
  local rc=0
  wait "$STEP_PID" || rc=$?
  STEP_PID=""
  return "$rc"
}

# --- pre-flight -----------------------------------------------------------------------------------

other="$(pid_file_alive "$RUN_PID_FILE")"
if [[ -n "$other" ]]; then
  die "the local stack already runs (run-local.sh pid $other); stop it with Ctrl-C there or scripts/stop-local.sh"
fi
write_pid_file "$RUN_PID_FILE" $$
trap 'on_signal INT 130' INT
trap 'on_signal TERM 143' TERM
trap 'on_signal HUP 129' HUP
trap cleanup EXIT

if port_open 127.0.0.1 "$HTTP_PORT"; then
  die "port $HTTP_PORT is taken; stop what listens there or pick another: QUARKUS_HTTP_PORT=8081 $0"
fi
if [[ "$MANAGEMENT_PORT" == "$HTTP_PORT" ]]; then
  die "QUARKUS_MANAGEMENT_PORT and QUARKUS_HTTP_PORT are both $HTTP_PORT; give the management port its own"
fi
if port_open 127.0.0.1 "$MANAGEMENT_PORT"; then
  die "port $MANAGEMENT_PORT (management: health, metrics) is taken; stop what listens there or pick another: QUARKUS_MANAGEMENT_PORT=9001 $0"
fi

# --- build ----------------------------------------------------------------------------------------

if [[ -n "${CASCADE_GATEWAY_CMD:-}" ]]; then
  log "CASCADE_GATEWAY_CMD is set: running it instead of the gateway jar (no build)"
elif [[ "${CASCADE_SKIP_BUILD:-0}" == 1 ]]; then
  [[ -f "$JAR" ]] || die "CASCADE_SKIP_BUILD=1 but $JAR does not exist: build it with ./mvnw -DskipTests package"
  log "CASCADE_SKIP_BUILD=1: using $JAR as it is"
elif [[ ! -f "$JAR" || -n "$(find src pom.xml -newer "$JAR" -print -quit 2>/dev/null)" ]]; then
  log "building the gateway (./mvnw -B -q -DskipTests package)"
  build_ns="$(date +%s%N)"
  run_step "$REPO_ROOT/mvnw" -B -q -DskipTests package || die "the build failed (output above)"
  [[ -f "$JAR" ]] || die "the build finished but $JAR is missing"
  log "gateway built in $(elapsed_since "$build_ns")s"
else
  log "gateway jar is up to date with src/ and pom.xml; not building"
fi

# --- Kafka and PostgreSQL -------------------------------------------------------------------------

"$SCRIPTS/kafka-broker.sh" status >/dev/null 2>&1 || MAY_STOP_KAFKA=1
run_step "$SCRIPTS/kafka-broker.sh" start || die "Kafka did not start"

if [[ -z "$("$SCRIPTS/postgres.sh" private-pid)" ]]; then MAY_STOP_PG=1; fi
run_step "$SCRIPTS/postgres.sh" start || die "PostgreSQL did not start"
pg_env="$("$SCRIPTS/postgres.sh" env)" || die "could not read the PostgreSQL settings"
eval "$pg_env"
pg_mode="$(sed -n 's/^MODE=//p' "$STATE_DIR/postgres.env" 2>/dev/null || true)"

# --- secrets --------------------------------------------------------------------------------------

# persisted_secret FILE PATTERN GENERATOR: the secret kept in FILE, made (once) by GENERATOR.
persisted_secret() {
  local file="$1" pattern="$2" gen="$3" value=""
  [[ -s "$file" ]] && value="$(head -n1 "$file")"
  if [[ ! "$value" =~ $pattern ]]; then
    value="$($gen)"
    (
      umask 077
      echo "$value" >"$file"
    )
  fi
  echo "$value"
}
# clapi_ + 64 chars of base64url = 48 random bytes (the contract's key format).
gen_api_key() { echo "clapi_$(head -c 48 /dev/urandom | base64 -w0 | tr '+/' '-_')"; }
# 43 chars of base64url = 32 random bytes; the gateway refuses operator tokens under 32 characters.
gen_admin_token() { head -c 32 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '='; }

if [[ -z "${GATEWAY_BOOTSTRAP_API_KEY:-}" ]]; then
  GATEWAY_BOOTSTRAP_API_KEY="$(persisted_secret "$KEY_FILE" '^clapi_[A-Za-z0-9_-]{64}$' gen_api_key)"
fi
if [[ -z "${GATEWAY_ADMIN_TOKEN:-}" ]]; then
  GATEWAY_ADMIN_TOKEN="$(persisted_secret "$TOKEN_FILE" '^[A-Za-z0-9_-]{32,}$' gen_admin_token)"
fi

# --- the gateway ----------------------------------------------------------------------------------

export QUARKUS_PROFILE="${QUARKUS_PROFILE:-local}"
export QUARKUS_HTTP_PORT="$HTTP_PORT"
export QUARKUS_MANAGEMENT_PORT="$MANAGEMENT_PORT"
export KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:$KAFKA_PORT"
export CASCADE_DB_HOST CASCADE_DB_PORT CASCADE_DB_NAME CASCADE_DB_USER
export CASCADE_DB_PASSWORD="${CASCADE_DB_PASSWORD:-}"
export GATEWAY_BOOTSTRAP_API_KEY GATEWAY_ADMIN_TOKEN
# glibc gives every thread that mallocs an arena of its own (up to 8 per core), and their free space stays resident.
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"

# train_archive: the training start (see TRAINED_ARCHIVE), when this build has no trained archive yet. It listens on
# ports of its own choosing (0), so that nothing waiting for this stack's ports mistakes it for the gateway, and is
# stopped once Quarkus reports it started (its channels, Flyway and the persistence units are up by then) and a
# moment has passed for the consumers to join. A training that fails costs only its time: the gateway then starts
# from the build's archive, and the next start tries again.
# fits_build ARCHIVE: the archive is to be used (CASCADE_CDS on) and was made after the jar it names.
fits_build() { [[ "${CASCADE_CDS:-1}" == 1 && -f "$1" && "$1" -nt "$JAR" ]]; }

train_archive() {
  [[ -z "${CASCADE_GATEWAY_CMD:-}" && "${CASCADE_CDS:-1}" == 1 && -f "$JAR" ]] || return 0
  fits_build "$TRAINED_ARCHIVE" && return 0
  log "AppCDS: training the class archive of this build (one start and stop of the gateway, once per build; log $STATE_DIR/gateway-cds-training.log)"
  # At most 90 s: a gateway that cannot start shows why in the real start that follows.
  local train_log="$STATE_DIR/gateway-cds-training.log" deadline=$((SECONDS + (READY_TIMEOUT < 90 ? READY_TIMEOUT : 90)))
  local started=0 rc=0
  # shellcheck disable=SC2086 # JAVA_OPTS and GATEWAY_JVM_OPTS are lists of options
  QUARKUS_HTTP_PORT=0 QUARKUS_MANAGEMENT_PORT=0 env -C "$APP_DIR" "$JAVA" ${JAVA_OPTS:-$GATEWAY_JVM_OPTS} \
    ${JAVA_OPTS_APPEND:-} -XX:ArchiveClassesAtExit="$(basename "$RECORDING")" -jar quarkus-run.jar >"$train_log" 2>&1 &
  STEP_PID=$!
  while pid_alive "$STEP_PID" && ((SECONDS < deadline)); do
    if grep -q ' started in [0-9.]*s' "$train_log"; then
      started=1
      sleep 2
      break
    fi
    sleep 0.5
  done
  stop_tree "$STEP_PID" "the training start" 60
  wait "$STEP_PID" 2>/dev/null || rc=$?
  STEP_PID=""
  # Only a JVM that exited by itself (0, or 143 after SIGTERM) has written its archive whole.
  if ((started)) && ((rc == 0 || rc == 143)) && [[ -s "$RECORDING" ]]; then
    mv -f "$RECORDING" "$TRAINED_ARCHIVE"
    log "AppCDS: trained archive written ($TRAINED_ARCHIVE)"
  else
    log "AppCDS: the training start did not finish (exit code $rc; see $train_log); starting from the build's archive"
  fi
  rm -f "$RECORDING"
}
train_archive

if [[ -n "${CASCADE_GATEWAY_CMD:-}" ]]; then
  gateway_cmd=(bash -c "$CASCADE_GATEWAY_CMD")
else
  # An archive names the jar as it was started, `quarkus-run.jar` in target/quarkus-app, so the JVM only takes it
  # when it starts the jar by that name from that directory, and only an archive made after the jar matches it: the
  # trained archive of this build, else the build's own. With CASCADE_CDS=0 every class comes from the jars.
  cds=""
  if fits_build "$TRAINED_ARCHIVE"; then
    cds=app-cds-trained.jsa
  elif fits_build "$CDS_ARCHIVE"; then
    cds=app-cds.jsa
  fi
  if [[ -n "$cds" ]]; then
    # shellcheck disable=SC2206 # JAVA_OPTS and GATEWAY_JVM_OPTS are lists of options
    gateway_cmd=(env -C "$APP_DIR" "$JAVA" ${JAVA_OPTS:-$GATEWAY_JVM_OPTS} ${JAVA_OPTS_APPEND:-}
      -XX:SharedArchiveFile="$cds" -jar quarkus-run.jar)
  else
    # shellcheck disable=SC2206 # JAVA_OPTS and GATEWAY_JVM_OPTS are lists of options
    gateway_cmd=("$JAVA" ${JAVA_OPTS:-$GATEWAY_JVM_OPTS} ${JAVA_OPTS_APPEND:-} -jar "$JAR")
  fi
fi
[[ -f "$GW_LOG" ]] && mv -f "$GW_LOG" "$GW_LOG.1"
log "starting the gateway on port $HTTP_PORT, management port $MANAGEMENT_PORT (profile $QUARKUS_PROFILE, Kafka $KAFKA_BOOTSTRAP_SERVERS, PostgreSQL $CASCADE_DB_HOST:$CASCADE_DB_PORT/$CASCADE_DB_NAME; log $GW_LOG)"
gw_ns="$(date +%s%N)"
# Output to the terminal and to the log. tee ignores INT/TERM so that the gateway's shutdown lines still
# reach both; it ends by itself when the gateway closes its output.
"${gateway_cmd[@]}" > >(
  trap '' INT TERM HUP
  exec tee -a "$GW_LOG"
) 2>&1 &
GW_PID=$!
write_pid_file "$GW_PID_FILE" "$GW_PID"

ready_url="http://127.0.0.1:$MANAGEMENT_PORT/q/health/ready"
deadline=$((SECONDS + READY_TIMEOUT))
while true; do
  if ! pid_alive "$GW_PID"; then
    rc=0
    wait "$GW_PID" || rc=$?
    GW_PID=""
    log "the gateway exited with code $rc before it was ready; last lines of $GW_LOG:"
    tail -n 60 "$GW_LOG" >&2 || true
    exit "$((rc == 0 ? 1 : rc))"
  fi
  [[ "$(http_status "$ready_url")" == 200 ]] && break
  if ((SECONDS >= deadline)); then
    log "the gateway was not ready within ${READY_TIMEOUT}s ($ready_url); last lines of $GW_LOG:"
    tail -n 60 "$GW_LOG" >&2 || true
    exit 1
  fi
  sleep 0.5
done
ready_s="$(elapsed_since "$gw_ns")"

base="http://127.0.0.1:$HTTP_PORT"
management="http://127.0.0.1:$MANAGEMENT_PORT"
cat <<EOF

[cascade] ==========================================================================================
[cascade]  Cascade gateway is ready (in ${ready_s}s, pid $GW_PID, RSS $(rss_mb "$GW_PID") MB)
[cascade]    Base URL:     $base/api/v1/public
[cascade]    API key:      $GATEWAY_BOOTSTRAP_API_KEY
[cascade]    Admin token:  $GATEWAY_ADMIN_TOKEN      (Authorization: Bearer … on $base/api/v1/admin)
[cascade]    Console:      $base/console/  (sign in with the API key and the admin token)
[cascade]    Management:   $management/q/health, $management/q/metrics, $management/q/openapi
[cascade]    Kafka:        $KAFKA_BOOTSTRAP_SERVERS
[cascade]    PostgreSQL:   $CASCADE_DB_HOST:$CASCADE_DB_PORT/$CASCADE_DB_NAME (${pg_mode:-?} server, user $CASCADE_DB_USER)
[cascade]    Logs:         $GW_LOG
[cascade]  Stop everything with Ctrl-C (or: kill $$).
[cascade] ==========================================================================================
[cascade]  Try it:

curl -X POST $base/api/v1/public/enrich/bulk \\
  -H "Authorization: Bearer $GATEWAY_BOOTSTRAP_API_KEY" \\
  -H "Content-Type: application/json" \\
  -d '{
    "enrichment_type": "partial",
    "contacts": [
      { "first_name": "John", "last_name": "Doe", "company_domain": "acme.com" },
      { "linkedin_url": "https://www.linkedin.com/in/janedoe" },
      { "first_name": "Sam", "last_name": "Lee", "company_name": "Globex" }
    ]
  }'

curl "$base/api/v1/public/enrich/status?workflow_id=<workflow_id from the answer>" \\
  -H "Authorization: Bearer $GATEWAY_BOOTSTRAP_API_KEY"

EOF

rc=0
wait "$GW_PID" || rc=$?
GW_PID=""
rm -f "$GW_PID_FILE"
log "the gateway exited with code $rc; stopping the rest"
exit "$rc"
