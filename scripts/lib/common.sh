# Shared helpers for the local-stack scripts (sourced, not run).
# Sets REPO_ROOT and STATE_DIR, cds to the repo root, and defines logging, port and pid helpers.
# shellcheck shell=bash

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
cd "$REPO_ROOT" || exit 1

# The state dir holds everything the local stack writes: jars, data dirs, logs, pid files, secrets.
STATE_DIR="${CASCADE_STATE_DIR:-.local-stack}"
case "$STATE_DIR" in
  /*) ;;
  *) STATE_DIR="$REPO_ROOT/$STATE_DIR" ;;
esac
mkdir -p "$STATE_DIR"
STATE_DIR="$(cd "$STATE_DIR" && pwd -P)"

# All log lines go to stderr so that stdout stays clean for machine-readable output (postgres.sh env).
log() { printf '[cascade] %s\n' "$*" >&2; }
warn() { printf '[cascade] WARNING: %s\n' "$*" >&2; }
die() {
  printf '[cascade] ERROR: %s\n' "$*" >&2
  exit 1
}

# port_open HOST PORT: true when something accepts TCP connections there (bash /dev/tcp, 2 s cap).
port_open() {
  local host="$1" port="$2"
  if command -v timeout >/dev/null 2>&1; then
    timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$host" "$port" 2>/dev/null
  else
    (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null
  fi
}

# pid_alive PID: the process exists (and is not a zombie).
pid_alive() {
  local pid="${1:-}"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  local state
  state="$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || true)"
  [[ "$state" != "Z" ]]
}

# pid_cmdline_has PID TEXT: the process's command line contains TEXT (guards against reused pids).
pid_cmdline_has() {
  local pid="$1" text="$2"
  [[ -r "/proc/$pid/cmdline" ]] || return 1
  tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -qF -- "$text"
}

# pids_with_cmdline PROGRAM TEXT: pids of PROGRAM processes (basename of argv[0], e.g. java) whose command
# line contains TEXT (exact text, e.g. a path inside our state dir). Used when a pid file was lost.
pids_with_cmdline() {
  local prog="$1" text="$2" f pid args
  for f in /proc/[0-9]*/cmdline; do
    pid="${f#/proc/}"
    pid="${pid%/cmdline}"
    args=()
    mapfile -d '' -t args 2>/dev/null <"$f" || continue
    ((${#args[@]} > 0)) || continue
    [[ "${args[0]##*/}" == "$prog" ]] || continue
    if [[ " ${args[*]} " == *"$text"* ]]; then
      echo "$pid"
    fi
  done
}

# read_pid FILE: prints the pid stored in FILE, or nothing.
read_pid() {
  local f="$1"
  [[ -s "$f" ]] || return 0
  head -n1 "$f" | tr -cd '0-9'
}

# rss_mb PID: resident set size in MiB, or "?".
rss_mb() {
  local kb
  kb="$(awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || true)"
  if [[ -n "$kb" ]]; then echo "$((kb / 1024))"; else echo "?"; fi
}

# stop_pid PID NAME TIMEOUT_S [GROUP]: SIGTERM (to the process group when GROUP=group), wait, then SIGKILL.
stop_pid() {
  local pid="$1" name="$2" timeout_s="${3:-30}" group="${4:-}"
  pid_alive "$pid" || return 0
  local target="$pid"
  if [[ "$group" == "group" ]]; then target="-$pid"; fi
  log "stopping $name (pid $pid)"
  kill -TERM -- "$target" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + timeout_s))
  while pid_alive "$pid"; do
    if ((SECONDS >= deadline)); then
      warn "$name (pid $pid) did not stop within ${timeout_s}s; killing it"
      kill -KILL -- "$target" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.2
  done
  log "$name stopped"
}

# elapsed_since START_NS: seconds (one decimal) since a `date +%s%N` reading.
elapsed_since() {
  local now
  now="$(date +%s%N)"
  awk -v a="$1" -v b="$now" 'BEGIN { printf "%.1f", (b - a) / 1e9 }'
}

# start_detached PIDFILE LOGFILE CMD...: runs CMD in its own session (no terminal signals reach it),
# stdout+stderr appended to LOGFILE, and writes its pid to PIDFILE before CMD starts.
start_detached() {
  local pidfile="$1" logfile="$2"
  shift 2
  local launcher=(bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@")
  if command -v setsid >/dev/null 2>&1; then
    setsid "${launcher[@]}" </dev/null >>"$logfile" 2>&1 &
  else
    nohup "${launcher[@]}" </dev/null >>"$logfile" 2>&1 &
  fi
  # Wait (briefly) until the launcher has written the pid file.
  local _
  for _ in $(seq 1 50); do
    [[ -s "$pidfile" ]] && return 0
    sleep 0.05
  done
  die "could not start: $*"
}

# mvnw ARGS...: the repo's Maven wrapper.
mvnw() {
  "$REPO_ROOT/mvnw" "$@"
}

# m2_repo: the local Maven repository directory.
m2_repo() {
  echo "${MAVEN_REPO_LOCAL:-$HOME/.m2/repository}"
}

# m2_jar GROUP ARTIFACT VERSION: fetches the artifact into ~/.m2 if missing and prints the jar path.
m2_jar() {
  local g="$1" a="$2" v="$3"
  local jar
  jar="$(m2_repo)/${g//.//}/$a/$v/$a-$v.jar"
  if [[ ! -s "$jar" ]]; then
    log "fetching $g:$a:$v from Maven Central"
    # -f: run against our tiny pom, never the gateway's pom.xml (which may be mid-edit).
    mvnw -q -B -f "$REPO_ROOT/deploy/local/kafka/pom.xml" dependency:get \
      -Dmaven.repo.local="$(m2_repo)" -Dartifact="$g:$a:$v" -Dtransitive=false >&2 ||
      die "could not fetch $g:$a:$v"
  fi
  [[ -s "$jar" ]] || die "missing $jar after fetching it"
  echo "$jar"
}

# --- pid files that survive pid reuse: "PID STARTTIME" ----------------------------------------------

# start_time PID: the process's start time in clock ticks since boot (field 22 of /proc/PID/stat).
start_time() {
  local line rest
  read -r line 2>/dev/null <"/proc/$1/stat" || return 1
  rest="${line##*) }" # fields after "(comm) "; comm may hold spaces
  # shellcheck disable=SC2086
  set -- $rest
  echo "${20}"
}

# write_pid_file FILE PID
write_pid_file() {
  echo "$2 $(start_time "$2" || echo 0)" >"$1"
}

# pid_file_alive FILE: prints the pid recorded in FILE when that very process still runs.
pid_file_alive() {
  local f="$1" pid st
  [[ -s "$f" ]] || return 0
  read -r pid st <"$f" || true
  pid_alive "$pid" || return 0
  if [[ -n "${st:-}" && "$st" != 0 && "$(start_time "$pid" || true)" != "$st" ]]; then
    return 0 # the pid was reused by another process
  fi
  echo "$pid"
}

# descendants PID: all processes below PID (children, grandchildren, …), read from /proc.
descendants() {
  local root="$1" f line rest pid
  local -A kids=()
  for f in /proc/[0-9]*/stat; do
    read -r line 2>/dev/null <"$f" || continue
    pid="${f#/proc/}"
    pid="${pid%/stat}"
    rest="${line##*) }"
    # shellcheck disable=SC2086
    set -- $rest
    kids[$2]+="$pid "
  done
  local queue=("$root") p c
  while ((${#queue[@]} > 0)); do
    p="${queue[0]}"
    queue=("${queue[@]:1}")
    for c in ${kids[$p]:-}; do
      echo "$c"
      queue+=("$c")
    done
  done
}

# stop_tree PID NAME TIMEOUT_S: SIGTERM to PID and everything below it, wait, then SIGKILL what is left.
stop_tree() {
  local pid="$1" name="$2" timeout_s="${3:-30}"
  pid_alive "$pid" || return 0
  local all=("$pid") p
  mapfile -t -O 1 all < <(descendants "$pid")
  log "stopping $name (pid $pid)"
  kill -TERM "${all[@]}" 2>/dev/null || true
  local deadline=$((SECONDS + timeout_s)) left
  while true; do
    left=()
    for p in "${all[@]}"; do pid_alive "$p" && left+=("$p"); done
    ((${#left[@]} == 0)) && break
    if ((SECONDS >= deadline)); then
      warn "$name did not stop within ${timeout_s}s; killing pids ${left[*]}"
      kill -KILL "${left[@]}" 2>/dev/null || true
      break
    fi
    sleep 0.2
  done
  log "$name stopped"
}

# http_status URL: the HTTP status code of a GET (curl when present, else bash /dev/tcp), "000" on failure.
http_status() {
  local url="$1"
  if command -v curl >/dev/null 2>&1 && [[ "${CASCADE_NO_CURL:-0}" != 1 ]]; then
    local code
    code="$(curl -s -o /dev/null -m 3 -w '%{http_code}' "$url" 2>/dev/null || true)"
    echo "${code:-000}"
    return 0
  fi
  local hostport="${url#http://}" path
  path="/${hostport#*/}"
  hostport="${hostport%%/*}"
  timeout 3 bash -c '
    exec 3<>"/dev/tcp/${0%:*}/${0##*:}" || exit 1
    printf "GET %s HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n\r\n" "$1" "$0" >&3
    read -r _ code _ <&3 && echo "$code"' "$hostport" "$path" 2>/dev/null || echo 000
}
