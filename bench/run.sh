#!/usr/bin/env bash
# Benchmarks the gateway on this machine: starts a local stack of its own on spare loopback ports
# (scripts/run-local.sh with a separate state dir, Kafka broker and database), runs bench/Bench.java scenarios
# against it, prints the figures, and always stops that stack again (on success, failure, Ctrl-C or SIGTERM).
# It never touches a stack started by the README's ./scripts/run-local.sh (other ports, other state dir).
#
#   bench/run.sh
#   BENCH_LATENCY_MIN=5ms BENCH_LATENCY_MAX=5ms bench/run.sh        # pipeline overhead, not vendor latency
#   CASCADE_WATERFALL_MAX_IN_FLIGHT=1024 bench/run.sh               # a tuning experiment
#
# Environment (all optional):
#   BENCH_HTTP_PORT (18080), BENCH_MANAGEMENT_PORT (18081, health and metrics), BENCH_KAFKA_PORT (19092),
#   BENCH_KAFKA_CONTROLLER_PORT (19093)
#   BENCH_STATE_DIR (.local-stack-bench)   state dir of the benchmark stack (gateway.log is in it)
#   BENCH_DB_NAME (cascade_bench)          database on the PostgreSQL that scripts/postgres.sh picks
#   BENCH_FRESH (1)                        start from an empty database and Kafka log (0: keep the previous data)
#   BENCH_LATENCY_MIN (40ms), BENCH_LATENCY_MAX (300ms)   simulated provider latency per call
#   BENCH_TYPE (partial)                   enrichment_type of every scenario
#   BENCH_SCENARIOS ("warm-up:1:250:1;40x250:40:250:4;200x10:200:10:8")  label:workflows:contacts:clients;…
#   BENCH_TIMEOUT (300)                    seconds each scenario may take after its first submit
#   BENCH_READY_TIMEOUT (600)              seconds to wait for the stack (includes a first build, ~40 s)
#   BENCH_ARGS                             extra Bench options for every scenario (e.g. "--poll-ms 500")
# Passed through to the gateway / broker when set: CASCADE_WATERFALL_MAX_IN_FLIGHT (256),
#   CASCADE_DB_POOL_SIZE (16), KAFKA_PARTITIONS_TASKS (12), KAFKA_PARTITIONS_RESULTS (12), JAVA_OPTS (-Xmx512m),
#   CASCADE_SKIP_BUILD, CASCADE_SIMULATOR_* and any other CASCADE_* setting of the gateway.
#
# Exit code: 0 when every scenario passed, 1 when one failed (its table says why), other codes on start-up errors.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd -P)"
cd "$ROOT"

PORT="${BENCH_HTTP_PORT:-18080}"
MGMT_PORT="${BENCH_MANAGEMENT_PORT:-18081}"
K_PORT="${BENCH_KAFKA_PORT:-19092}"
K_CTRL_PORT="${BENCH_KAFKA_CONTROLLER_PORT:-19093}"
STATE="${BENCH_STATE_DIR:-.local-stack-bench}"
[[ "$STATE" == /* ]] || STATE="$ROOT/$STATE"
DB_NAME="${BENCH_DB_NAME:-cascade_bench}"
FRESH="${BENCH_FRESH:-1}"
LAT_MIN="${BENCH_LATENCY_MIN:-40ms}"
LAT_MAX="${BENCH_LATENCY_MAX:-300ms}"
TYPE="${BENCH_TYPE:-partial}"
SCENARIOS="${BENCH_SCENARIOS:-warm-up:1:250:1;40x250:40:250:4;200x10:200:10:8}"
TIMEOUT="${BENCH_TIMEOUT:-300}"
READY_TIMEOUT="${BENCH_READY_TIMEOUT:-600}"
# clapi_ + 64 chars of base64url; a fixed, public, benchmark-only key for a loopback-only stack.
KEY="clapi_$(printf 'bench-loopback-only-%044d' 0)"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
JAVAC="${JAVA_HOME:+$JAVA_HOME/bin/}javac"

BASE="http://127.0.0.1:$PORT"
MGMT="http://127.0.0.1:$MGMT_PORT"
RUN_LOG="$STATE/run-local.out"
GW_LOG="$STATE/gateway.log"
SUMMARY="$STATE/bench-summary.md"
CLASSES="$STATE/bench-classes"
CLK_TCK="$(getconf CLK_TCK 2>/dev/null || echo 100)"

say() { printf '[bench] %s\n' "$*" >&2; }
die() {
  printf '[bench] ERROR: %s\n' "$*" >&2
  exit 2
}

mkdir -p "$STATE"

# --- stop what we started, always ------------------------------------------------------------------

RUN_PID=""
BENCH_PID=""
CLEANED=0
alive() { [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null; }

# shellcheck disable=SC2317 # invoked by the EXIT trap
cleanup() {
  ((CLEANED)) && return 0
  CLEANED=1
  set +e
  trap '' INT TERM HUP
  if alive "$BENCH_PID"; then
    kill -TERM "$BENCH_PID" 2>/dev/null
    wait "$BENCH_PID" 2>/dev/null
  fi
  if alive "$RUN_PID"; then
    say "stopping the benchmark stack (run-local.sh pid $RUN_PID)"
    kill -TERM "$RUN_PID" 2>/dev/null
    local deadline=$((SECONDS + 180))
    while alive "$RUN_PID" && ((SECONDS < deadline)); do sleep 0.5; done
    if alive "$RUN_PID"; then
      say "run-local.sh (pid $RUN_PID) did not stop within 180 s; killing it"
      kill -KILL "$RUN_PID" 2>/dev/null
    fi
    wait "$RUN_PID" 2>/dev/null
  fi
  # Whatever is left of this state dir's stack (a gateway or broker whose parent died): stop-local.sh finds it
  # through the pid files of the state dir, and never touches the shared PostgreSQL.
  if [[ -n "$RUN_PID" ]]; then
    CASCADE_STATE_DIR="$STATE" KAFKA_PORT="$K_PORT" KAFKA_CONTROLLER_PORT="$K_CTRL_PORT" \
      "$ROOT/scripts/stop-local.sh" >>"$RUN_LOG" 2>&1
    local left=""
    for f in gateway.pid kafka.pid run-local.pid; do
      local p
      p="$(awk '{print $1; exit}' "$STATE/$f" 2>/dev/null)"
      if alive "$p"; then left+=" $f:$p"; fi
    done
    if [[ -n "$left" ]]; then
      say "WARNING: still running after the stop:$left"
    else
      say "benchmark stack stopped; nothing of it is running"
    fi
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# --- pre-flight ------------------------------------------------------------------------------------

command -v curl >/dev/null || die "curl is needed"
for p in "$PORT" "$MGMT_PORT" "$K_PORT" "$K_CTRL_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    die "port $p on 127.0.0.1 is taken; pick others (BENCH_HTTP_PORT, BENCH_MANAGEMENT_PORT, BENCH_KAFKA_PORT, BENCH_KAFKA_CONTROLLER_PORT)"
  fi
done

say "compiling bench/Bench.java"
rm -rf "$CLASSES"
"$JAVAC" -d "$CLASSES" "$ROOT/bench/Bench.java" || die "bench/Bench.java does not compile"

if [[ "$FRESH" == 1 ]]; then
  if CASCADE_STATE_DIR="$STATE" "$ROOT/scripts/kafka-broker.sh" status >/dev/null 2>&1; then
    die "a Kafka broker of $STATE is running; stop it first: CASCADE_STATE_DIR=$STATE scripts/stop-local.sh"
  fi
  rm -rf "$STATE/kafka-data"
  db_host="${CASCADE_DB_HOST:-127.0.0.1}"
  db_port="${CASCADE_DB_PORT:-5432}"
  db_user="${CASCADE_DB_USER:-postgres}"
  if command -v psql >/dev/null &&
    PGPASSWORD="${CASCADE_DB_PASSWORD:-}" psql -h "$db_host" -p "$db_port" -U "$db_user" -d postgres -Atqc 'SELECT 1' \
      >/dev/null 2>&1; then
    PGPASSWORD="${CASCADE_DB_PASSWORD:-}" psql -h "$db_host" -p "$db_port" -U "$db_user" -d postgres -qc \
      "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" >/dev/null ||
      die "could not drop database $DB_NAME on $db_host:$db_port"
    say "fresh start: database $DB_NAME on $db_host:$db_port dropped (re-created by the stack), Kafka log emptied"
  else
    say "fresh start: Kafka log emptied; database $DB_NAME kept (no psql access to $db_host:$db_port)"
  fi
fi

# --- start the stack -------------------------------------------------------------------------------

export QUARKUS_HTTP_PORT="$PORT" QUARKUS_MANAGEMENT_PORT="$MGMT_PORT"
export KAFKA_PORT="$K_PORT" KAFKA_CONTROLLER_PORT="$K_CTRL_PORT"
export CASCADE_STATE_DIR="$STATE"
export CASCADE_DB_NAME="$DB_NAME"
export CASCADE_PRIVATE_DB_PORT="${CASCADE_PRIVATE_DB_PORT:-55433}"
export GATEWAY_BOOTSTRAP_API_KEY="$KEY"
# The benchmark drives everything through the bootstrap organisation: lift its rate limits (§10) out of the way.
export CASCADE_BOOTSTRAP_ORGANIZATION_PER_MINUTE="${BENCH_RATE_LIMIT:-1000000}"
export CASCADE_BOOTSTRAP_KEY_PER_MINUTE="${BENCH_RATE_LIMIT:-1000000}"
# An api-only run never finishes its workflows: the per-organisation quotas would refuse submits after 1,000.
export CASCADE_QUOTAS_PENDING_WORKFLOWS="${BENCH_PENDING_QUOTA:-0}" CASCADE_QUOTAS_CONTACTS_PER_DAY="${BENCH_DAILY_QUOTA:-0}"
export CASCADE_SIMULATOR_LATENCY_MIN="$LAT_MIN" CASCADE_SIMULATOR_LATENCY_MAX="$LAT_MAX"
export CASCADE_READY_TIMEOUT="$READY_TIMEOUT"

say "starting the benchmark stack: gateway $BASE, Kafka 127.0.0.1:$K_PORT, database $DB_NAME, state $STATE"
say "  (a first build takes ~40 s; output in $RUN_LOG)"
: >"$RUN_LOG"
"$ROOT/scripts/run-local.sh" >>"$RUN_LOG" 2>&1 </dev/null &
RUN_PID=$!

start_s=$SECONDS
until grep -q 'Cascade gateway is ready' "$RUN_LOG" 2>/dev/null; do
  if ! alive "$RUN_PID"; then
    wait "$RUN_PID" 2>/dev/null || true
    say "the stack did not start; last lines of $RUN_LOG:"
    tail -n 40 "$RUN_LOG" >&2
    RUN_PID="" # nothing of ours runs: run-local.sh cleaned up itself
    CASCADE_STATE_DIR="$STATE" "$ROOT/scripts/stop-local.sh" >/dev/null 2>&1 || true
    exit 3
  fi
  if ((SECONDS - start_s > READY_TIMEOUT + 30)); then
    say "the stack was not ready within ${READY_TIMEOUT}s; last lines of $RUN_LOG:"
    tail -n 40 "$RUN_LOG" >&2
    exit 3
  fi
  sleep 1
done
[[ "$(curl -s -o /dev/null -w '%{http_code}' "$MGMT/q/health/ready")" == 200 ]] || die "$MGMT/q/health/ready is not 200"
say "stack ready after $((SECONDS - start_s)) s: $(grep -m1 'Cascade gateway is ready' "$RUN_LOG" | sed 's/^\[cascade\] *//')"

# Pid files hold "PID START_TIME" (scripts/lib/common.sh write_pid_file) or just "PID".
GW_PID="$(awk '{print $1; exit}' "$STATE/gateway.pid" 2>/dev/null || true)"
KAFKA_PID="$(awk '{print $1; exit}' "$STATE/kafka.pid" 2>/dev/null || true)"

# --- CPU accounting (ticks of /proc) ----------------------------------------------------------------

ticks_of() { # PID: user+system ticks of that process, 0 when gone
  [[ -n "${1:-}" && -r "/proc/$1/stat" ]] || {
    echo 0
    return
  }
  awk '{print $14 + $15}' "/proc/$1/stat"
}
pg_ticks() { # every postgres process of the machine (the shared server may serve others too)
  local t=0 p
  for p in $(pgrep -x postgres 2>/dev/null); do
    t=$((t + $(ticks_of "$p")))
  done
  echo "$t"
}
machine_ticks() { # "busy total" of all CPUs
  awk '/^cpu / {busy = $2 + $3 + $4 + $7 + $8 + $9; total = busy + $5 + $6; print busy, total; exit}' /proc/stat
}
pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (b <= 0) print "n/a"; else printf "%.0f%%", 100 * a / b }'; }

# --- scenarios -------------------------------------------------------------------------------------

nproc_n="$(nproc 2>/dev/null || echo 1)"
{
  echo "<!-- bench/run.sh $(date -u +%Y-%m-%dT%H:%M:%SZ), $nproc_n cores, latency $LAT_MIN-$LAT_MAX, type $TYPE,"
  echo "     max-in-flight ${CASCADE_WATERFALL_MAX_IN_FLIGHT:-256 (default)}, db pool ${CASCADE_DB_POOL_SIZE:-16 (default)},"
  echo "     partitions tasks/results ${KAFKA_PARTITIONS_TASKS:-12}/${KAFKA_PARTITIONS_RESULTS:-12} -->"
  echo "| scenario | workflows x contacts | clients | submit p50 ms | p90 | p99 | max | submits/s | contacts/s accepted | end-to-end s | contacts settled/s | terminal | result |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
} >"$SUMMARY"
CPU_TABLE=()

overall=0
IFS=';' read -r -a scenario_list <<<"$SCENARIOS"
for scenario in "${scenario_list[@]}"; do
  IFS=':' read -r label n c k <<<"$scenario"
  [[ "$n" =~ ^[0-9]+$ && "$c" =~ ^[0-9]+$ && "$k" =~ ^[0-9]+$ ]] ||
    die "bad scenario '$scenario' (label:workflows:contacts:clients)"
  say "scenario $label: $n workflows x $c contacts, $k clients (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  log_from=$(($(wc -l <"$GW_LOG" 2>/dev/null || echo 0) + 1))
  # What else keeps this machine busy (other users' builds and tests skew every figure): 3 s before the run.
  read -r b_busy0 b_total0 < <(machine_ticks)
  sleep 3
  read -r b_busy1 b_total1 < <(machine_ticks)
  baseline="$(pct $((b_busy1 - b_busy0)) $((b_total1 - b_total0)))"
  read -r m_busy0 m_total0 < <(machine_ticks)
  gw0=$(ticks_of "$GW_PID")
  kf0=$(ticks_of "$KAFKA_PID")
  pg0=$(pg_ticks)
  rc=0
  # In the background and waited for, so that a signal to this script is handled at once.
  # shellcheck disable=SC2086 # BENCH_ARGS is a list of options
  "$JAVA" -cp "$CLASSES" Bench --base-url "$BASE" --key "$KEY" --workflows "$n" --contacts "$c" --clients "$k" \
    --type "$TYPE" --timeout-seconds "$TIMEOUT" --label "$label" --summary-file "$SUMMARY" ${BENCH_ARGS:-} &
  BENCH_PID=$!
  wait "$BENCH_PID" || rc=$?
  BENCH_PID=""
  read -r m_busy1 m_total1 < <(machine_ticks)
  gw1=$(ticks_of "$GW_PID")
  kf1=$(ticks_of "$KAFKA_PID")
  pg1=$(pg_ticks)
  # Shares of ONE core over the scenario's wall time (200% = both cores of a 2-core machine).
  wall=$(((m_total1 - m_total0) / nproc_n))
  cpu_line="| $label | $baseline | $(pct $((m_busy1 - m_busy0)) $((m_total1 - m_total0))) of all cores | $(pct $((gw1 - gw0)) "$wall") | $(pct $((kf1 - kf0)) "$wall") | $(pct $((pg1 - pg0)) "$wall") | $(awk -v w="$wall" -v t="$CLK_TCK" 'BEGIN{printf "%.1f", w / t}') s | $(rss_kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$GW_PID/status" 2>/dev/null); echo "$((${rss_kb:-0} / 1024)) MB") |"
  CPU_TABLE+=("$cpu_line")
  say "CPU during $label: machine $(pct $((m_busy1 - m_busy0)) $((m_total1 - m_total0))) busy (before: $baseline);" \
    "gateway $(pct $((gw1 - gw0)) "$wall"), Kafka $(pct $((kf1 - kf0)) "$wall"), PostgreSQL $(pct $((pg1 - pg0)) "$wall") of one core"
  # What the gateway logged at WARN or above during the scenario.
  problems="$(tail -n +"$log_from" "$GW_LOG" 2>/dev/null | grep -E '^[0-9:.]+ (WARN|ERROR|FATAL) ' || true)"
  if [[ -n "$problems" ]]; then
    say "gateway logged $(wc -l <<<"$problems") WARN/ERROR lines during $label; the first 10 (all in $GW_LOG from line $log_from):"
    head -n 10 <<<"$problems" | cut -c1-400 >&2
  fi
  if ((rc != 0)); then
    overall=1
    say "scenario $label FAILED (exit $rc)"
  fi
  if ! alive "$RUN_PID"; then
    say "the stack is gone (run-local.sh exited); last lines of $GW_LOG:"
    tail -n 30 "$GW_LOG" >&2
    overall=1
    break
  fi
done

echo
echo "== Results ($nproc_n cores; simulator latency $LAT_MIN-$LAT_MAX; type $TYPE) =="
cat "$SUMMARY"
echo
echo "| scenario | machine busy 3 s before | machine busy during | gateway CPU (of one core) | Kafka CPU | PostgreSQL CPU | wall | gateway RSS after |"
echo "|---|---|---|---|---|---|---|---|"
printf '%s\n' "${CPU_TABLE[@]}"
echo
exit "$overall"
