#!/usr/bin/env bash
# Measures the gateway against the component floor on this machine, in one sitting: runs the floor
# (../shared/perf-floor/floor.sh: plain Kafka/PostgreSQL clients doing the gateway's work), then the gateway
# scenarios below on a stack of its own, and prints ONE table: scenario, floor figure, gateway figure, ratio,
# target, PASS/FAIL. The table (Markdown) and every raw figure are saved in a results directory.
#
#   bench/compare.sh                                  # floor (2-5 min) + every scenario (15-30 min on 2 busy cores)
#   bench/compare.sh --floor latest                   # reuse the newest saved floor summary
#   bench/compare.sh --floor path/floor-summary.txt --scenarios P1,P3
#   bench/compare.sh --table DIR                      # print the table of an earlier run again
#
# Options:
#   --floor FILE|latest   reuse a saved floor summary instead of running the floor (`latest`: the newest under
#                         <state>/results/); a floor run takes ~2 minutes on a quiet box, much longer on a busy one
#   --scenarios LIST      comma-separated subset of P1,P2,P3,P4,P5 (default all). P4's RSS row and P5's rate
#                         come from P2: without P2, P4 only measures launch -> ready and P5 uses CMP_P5_CONTACTS_PER_S
#   --results DIR         where to save (default <state>/results/<timestamp>); an earlier run's directory keeps
#                         the figures of the scenarios not run now (e.g. re-run P3 alone into a full run)
#   --table DIR           only print the table of the results in DIR (with its saved floor summary)
#
# Scenarios (P1, P2 and P3 each from an empty database and topics of their own on one broker started for the sitting,
# so that P2 meets a broker as warm as the floor's pipeline does; the gateway restarted with its own settings; P5 and
# P4 reuse P2's database and topics: P5 needs P2's rate and a warm gateway, and P4 is by definition a start against a
# running broker and an existing database):
#   P1 ingest       `api`-only gateway (CASCADE_ROLES=api), 250-contact submits: 10 s of un-timed submits by 4
#                   clients, then closed loop of 400 by 1 and by 4 clients, then open loop at 50/s (1000 submits,
#                   latency from each submit's due time, async sends); 100 un-timed submits and a CHECKPOINT before
#                   each timed loop (the floor's warm-up and reset)
#                   -> floor ingest.full.c1 / .c4 (ratio >= 0.6), ingest.full.rate50 (p99 <= 2 x floor); each closed
#                   loop also prints the gateway's, Kafka's and PostgreSQL's CPU ms per submit (steadier than
#                   submits/s on a shared machine: what an A/B of one change should compare)
#   P2 end to end   all roles, type none, 20 un-timed warm-up workflows, then 200 x 250 by 4 clients with a webhook
#                   each, until every webhook arrived; contacts settled/s from first submit to last webhook
#                   -> floor pipeline.batch.contacts_per_s (ratio >= 0.5); CPU per process over that window
#   P5 overhead     right after P2 in the same gateway: type none, open loop at half P2's contacts/s for 20 s;
#                   p99 of cascade_task_settle_delay_seconds (<= 20 ms) and cascade_task_turnaround_seconds; the
#                   aggregator's part of the delay (info): a poll's wait for its settle and one settle's duration
#                   (cascade_aggregator_settle_wait_seconds, cascade_aggregator_settles_seconds), results per settle;
#                   then, the gateway stopped, the same work by plain clients at the same rate (bench/P5Floor.java,
#                   bench/lib/plain-bounds.sh): the floor column of the settle delay rows
#   P4 footprint    peak VmRSS of the gateway during P2 (200 ms samples, <= 400 MB) and VmHWM; then 3 launches
#                   against the running broker and database: JVM process start -> /q/health/ready 200 (20 ms polls),
#                   median <= 3 s; what Quarkus logs as "started in"; and the CPU s the gateway used until ready;
#                   then as many launches of a bare application of the fixed choices (bench/startup-floor, built and
#                   its archive trained here; the floor column of the launch row)
#   P3 slow vendors type partial, simulator at exactly 500 ms per call, 2500 tasks in flight and provider bulkheads of
#                   3000, 80 x 250 by 4 clients: peak provider calls in flight (>= 2000), tasks/s in the steady
#                   state (between the instants 20 % and 80 % of the run's tasks were done, from the task timer's
#                   count at each scrape) against max-in-flight / mean task time (>= 0.8), and the same over the
#                   whole run (ramp and drain included, info), peak heap used (<= 512 MB), peak RSS. RSS is read
#                   every 200 ms, /q/metrics once a second (a scrape costs the gateway CPU; the in-flight peak is a
#                   gauge that keeps its maximum)
#
# Environment (all optional):
#   CMP_HTTP_PORT (38080), CMP_MANAGEMENT_PORT (38081, health and metrics), CMP_KAFKA_PORT (39092),
#   CMP_KAFKA_CONTROLLER_PORT (39093)
#   CMP_STATE_DIR (.local-stack-compare)   state dir of the stack (gateway.log, kafka data, results/)
#   CMP_DB_NAME (cascade_bench_cmp)        dropped and re-created before each scenario group
#   FLOOR_DIR (<repo>/../shared/perf-floor) where floor.sh is; FLOOR_ENV: extra settings for it, e.g. "FLOOR_TMP=/dev/shm"
#   CMP_TIMEOUT (900)                      seconds a scenario may take after its first submit
#   CMP_READY_TIMEOUT (600)                seconds to wait for the stack (includes a first build)
#   CMP_WARMUP_SECONDS (10)                P1: un-timed submits by 4 clients before the first loop (as the floor)
#   CMP_WARMUP_SUBMITS (100)               P1: un-timed submits before each loop (as the floor), then a CHECKPOINT
#   CMP_P1_TYPE (partial), CMP_P1_SUBMITS (400), CMP_P1_RATE (50), CMP_P1_RATE_SUBMITS (1000)
#   CMP_P2_WORKFLOWS (200), CMP_P2_CLIENTS (4), CMP_P2_WARMUP_WORKFLOWS (20)
#   CMP_P3_WORKFLOWS (80), CMP_P3_CLIENTS (4), CMP_P3_LATENCY (500ms), CMP_P3_MAX_IN_FLIGHT (2500),
#   CMP_P3_BULKHEAD (3000)                 bulkhead.limit of every simulated provider (system properties: the
#                                          dashes in sim-email-a make the environment form ambiguous)
#   CMP_P4_LAUNCHES (3)
#   CMP_P5_SECONDS (20), CMP_P5_CONTACTS (250 per submit), CMP_P5_CONTACTS_PER_S (half of P2's; 500 without P2)
#   JAVA_OPTS (the run command's memory budget)  replaces the gateway JVM's options; CASCADE_* settings pass through
#   JAVA_OPTS_APPEND                       added to the gateway JVM's options in every scenario
#   CMP_P3_HEAP (-Xmx384m)                 P3's heap (2,500 tasks in flight hold more than the default budget's 128 MB)
#   CMP_CLIENT_JAVA_OPTS                   the load client's JVM options (default: C1 only, serial GC, 256 MB heap; it
#                                          shares the 2 cores it measures, and with the JVM's defaults its own C2 compiles
#                                          took 2-4 ms of CPU per P1 submit, as much as the floor's whole client);
#                                          set and empty: the JVM's defaults
#
# Exit code: 0 every judged row PASS, 1 a row FAIL or a scenario failed, other codes on start-up errors.
# It always stops what it started (gateway, broker), also on failure, Ctrl-C or SIGTERM.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd -P)"
cd "$ROOT"

PORT="${CMP_HTTP_PORT:-38080}"
MGMT_PORT="${CMP_MANAGEMENT_PORT:-38081}"
K_PORT="${CMP_KAFKA_PORT:-39092}"
K_CTRL_PORT="${CMP_KAFKA_CONTROLLER_PORT:-39093}"
STATE="${CMP_STATE_DIR:-.local-stack-compare}"
[[ "$STATE" == /* ]] || STATE="$ROOT/$STATE"
DB_NAME="${CMP_DB_NAME:-cascade_bench_cmp}"
FLOOR_DIR="${FLOOR_DIR:-$ROOT/../shared/perf-floor}"
TIMEOUT="${CMP_TIMEOUT:-900}"
READY_TIMEOUT="${CMP_READY_TIMEOUT:-600}"
BASE_JAVA_OPTS="${JAVA_OPTS:-}"
BASE_APPEND="${JAVA_OPTS_APPEND:-}"
# Fixed, public, benchmark-only secrets for a loopback-only stack.
KEY="clapi_$(printf 'compare-loopback-only-%042d' 0)"
ADMIN="compare-loopback-only-operator-token-0000"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
JAVAC="${JAVA_HOME:+$JAVA_HOME/bin/}javac"
CLK_TCK="$(getconf CLK_TCK 2>/dev/null || echo 100)"
BASE="http://127.0.0.1:$PORT"
MGMT="http://127.0.0.1:$MGMT_PORT"
RUN_LOG="$STATE/run-local.out"
GW_LOG="$STATE/gateway.log"
CLASSES="$STATE/compare-classes"

say() { printf '[compare %(%T)T] %s\n' -1 "$*" >&2; }
die() {
  say "ERROR: $*"
  exit 2
}

FLOOR_ARG=""
SCENARIOS="P1,P2,P3,P4,P5"
RES=""
TABLE_ONLY=""
while (($#)); do
  case "$1" in
    --floor) FLOOR_ARG="${2:?--floor needs a file or 'latest'}" && shift 2 ;;
    --scenarios) SCENARIOS="${2:?--scenarios needs a list}" && shift 2 ;;
    --results) RES="${2:?--results needs a directory}" && shift 2 ;;
    --table) TABLE_ONLY="${2:?--table needs a results directory}" && shift 2 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' && exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
SCENARIOS="${SCENARIOS^^}"
for s in ${SCENARIOS//,/ }; do [[ "$s" =~ ^P[1-5]$ ]] || die "unknown scenario '$s' (P1..P5)"; done
want() { [[ ",$SCENARIOS," == *",$1,"* ]]; }

compile() {
  rm -rf "$CLASSES"
  mkdir -p "$CLASSES"
  "$JAVAC" -d "$CLASSES" "$ROOT/bench/Bench.java" "$ROOT"/bench/compare/*.java || die "bench/compare does not compile"
}
# The load client is harness, not system under test: it runs lean so that it takes as little as it can of the cores
# the gateway is measured on (docs/performance.md, Method).
read -r -a CLIENT_JAVA_OPTS <<<"${CMP_CLIENT_JAVA_OPTS--XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx256m}"
client() { "$JAVA" ${CLIENT_JAVA_OPTS[@]+"${CLIENT_JAVA_OPTS[@]}"} -cp "$CLASSES" Compare "$@"; }

# Prints the table of results dir $1 and saves it as table.md there.
table() {
  local dir="$1" context
  context="<!-- bench/compare.sh: $(paste -sd ';' "$dir/context.txt" 2>/dev/null | sed 's/;/; /g') -->"
  client table --floor "$dir/floor-summary.txt" --results "$dir/raw.txt" --markdown "$dir/table.md" \
    --context "$context"
}

if [[ -n "$TABLE_ONLY" ]]; then
  mkdir -p "$STATE"
  compile
  table "$TABLE_ONLY"
  exit $?
fi

mkdir -p "$STATE"
RES="${RES:-$STATE/results/$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$RES"
RES="$(cd "$RES" && pwd -P)"
RAW="$RES/raw.txt"
touch "$RAW"
# An earlier run's directory: only the figures of the scenarios run now are replaced (re-run P3 into a full run).
if [[ -s "$RAW" ]]; then
  drop="$(for s in ${SCENARIOS//,/ }; do printf '^%s[.]|' "${s,,}"; done)"
  grep -Ev "${drop%|}" "$RAW" >"$RAW.tmp" || true
  mv "$RAW.tmp" "$RAW"
  say "results dir $RES exists: keeping its figures of the scenarios not run now"
fi
emit() { echo "$1 $2 $3" | tee -a "$RAW"; } # name value unit
# shellcheck source=bench/lib/plain-bounds.sh
source "$ROOT/bench/lib/plain-bounds.sh"

# --- stop what we started, always ------------------------------------------------------------------

RUN_PID=""
CHILD_PID=""
BROKER_OURS=0
CLEANED=0
alive() { [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null; }
export KAFKA_PORT="$K_PORT" KAFKA_CONTROLLER_PORT="$K_CTRL_PORT" CASCADE_STATE_DIR="$STATE"

stop_gateway() {
  alive "$RUN_PID" || {
    RUN_PID=""
    return 0
  }
  kill -TERM "$RUN_PID" 2>/dev/null || true
  local deadline=$((SECONDS + 120))
  while alive "$RUN_PID" && ((SECONDS < deadline)); do sleep 0.2; done
  if alive "$RUN_PID"; then
    say "run-local.sh (pid $RUN_PID) did not stop within 120 s; killing it"
    kill -KILL "$RUN_PID" 2>/dev/null || true
  fi
  wait "$RUN_PID" 2>/dev/null || true
  RUN_PID=""
  # A gateway whose launcher died: found through the state dir's pid file.
  local gw
  gw="$(awk '{print $1; exit}' "$STATE/gateway.pid" 2>/dev/null || true)"
  if alive "$gw"; then
    kill -TERM "$gw" 2>/dev/null || true
    sleep 5
    alive "$gw" && kill -KILL "$gw" 2>/dev/null
  fi
  rm -f "$STATE/gateway.pid"
}

# shellcheck disable=SC2317 # invoked by the EXIT trap
cleanup() {
  ((CLEANED)) && return 0
  CLEANED=1
  set +e
  trap '' INT TERM HUP
  if alive "$CHILD_PID"; then
    kill -TERM "$CHILD_PID" 2>/dev/null
    wait "$CHILD_PID" 2>/dev/null
  fi
  stop_gateway
  bare_stop "$STATE/bare.pid"
  if ((BROKER_OURS)); then
    "$ROOT/scripts/kafka-broker.sh" stop >>"$RUN_LOG" 2>&1
  fi
  local left=""
  for f in gateway.pid kafka.pid run-local.pid; do
    local p
    p="$(awk '{print $1; exit}' "$STATE/$f" 2>/dev/null)"
    if alive "$p"; then left+=" $f:$p"; fi
  done
  [[ -n "$left" ]] && say "WARNING: still running after the stop:$left"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# run_bg CMD...: runs CMD in the background and waits for it, so that a signal is handled at once.
run_bg() {
  "$@" &
  CHILD_PID=$!
  local rc=0
  wait "$CHILD_PID" || rc=$?
  CHILD_PID=""
  return "$rc"
}

# --- the floor ---------------------------------------------------------------------------------------

FLOOR_FILE=""
if [[ "$FLOOR_ARG" == latest ]]; then
  FLOOR_FILE="$(find "$STATE/results" -name floor-summary.txt -size +0 ! -path "$RES/*" -printf '%T@ %p\n' \
    2>/dev/null | sort -rn | awk 'NR == 1 {print $2}')"
  [[ -n "$FLOOR_FILE" ]] || die "--floor latest: no saved floor summary under $STATE/results"
elif [[ -n "$FLOOR_ARG" ]]; then
  FLOOR_FILE="$FLOOR_ARG"
  [[ -s "$FLOOR_FILE" ]] || die "--floor $FLOOR_FILE: no such file (or empty)"
fi
compile
if [[ -n "$FLOOR_FILE" ]]; then
  say "reusing the floor summary $FLOOR_FILE"
  [[ "$FLOOR_FILE" -ef "$RES/floor-summary.txt" ]] || cp "$FLOOR_FILE" "$RES/floor-summary.txt"
else
  [[ -x "$FLOOR_DIR/floor.sh" ]] || die "no floor.sh in $FLOOR_DIR (set FLOOR_DIR, or reuse a summary with --floor FILE)"
  say "running the floor ($FLOOR_DIR/floor.sh; output in $RES/floor.out)"
  # shellcheck disable=SC2086 # FLOOR_ENV is a list of settings
  run_bg env RESULTS_DIR="$RES/floor" ${FLOOR_ENV:-} "$FLOOR_DIR/floor.sh" >"$RES/floor.out" 2>&1 ||
    die "the floor failed; last lines of $RES/floor.out:$(printf '\n')$(tail -n 20 "$RES/floor.out")"
  summary="$(find "$RES/floor" -name 'floor-*.txt' | sort | tail -n 1)"
  [[ -s "$summary" ]] || die "the floor wrote no summary (see $RES/floor.out)"
  cp "$summary" "$RES/floor-summary.txt"
fi
grep -q '^ingest.full.c1.submits_per_s \|^pipeline.batch.contacts_per_s ' "$RES/floor-summary.txt" ||
  say "WARNING: the floor summary has neither ingest.full.* nor pipeline.batch.*: those rows will say n/a"

# --- the stack ---------------------------------------------------------------------------------------

for p in "$PORT" "$MGMT_PORT" "$K_PORT" "$K_CTRL_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    die "port $p on 127.0.0.1 is taken; pick others (CMP_HTTP_PORT, CMP_MANAGEMENT_PORT, CMP_KAFKA_PORT, CMP_KAFKA_CONTROLLER_PORT)"
  fi
done
: >"$RUN_LOG"
COMMIT="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet HEAD -- src pom.xml 2>/dev/null || echo '+changes')"
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ), commit $COMMIT, $(nproc) cores, load average before $(cut -d' ' -f1-3 /proc/loadavg), floor $(head -n 1 "$RES/floor-summary.txt" | tr -d '=' | xargs), scenarios $SCENARIOS, load client JVM options: ${CLIENT_JAVA_OPTS[*]:-none}" >>"$RES/context.txt"

# An empty database and topics of their own for each scenario group, on one broker for the whole sitting: what one
# scenario leaves (an api-only gateway leaves every task unconsumed) must not become the next one's work, and the
# broker stays as warm as the floor's, whose pipeline runs after its ingest phases on the same broker. (A fresh broker
# per group spent most of P2 compiling: C2 threads took 50-70 % of its samples in every window, CPU the gateway lost.)
# fresh_stack GROUP: the topics are the gateway's own names with the suffix .GROUP (CASCADE_TOPICS_*, read by both
# scripts/kafka-broker.sh, which creates them, and the gateway).
# The command P1 runs before each timed loop: a CHECKPOINT, as the floor takes one before each of its phases, so that
# a checkpoint forced by the WAL of the loop before (max_wal_size) does not land in the next one.
checkpoint_command() {
  printf 'PGPASSWORD=%q psql -h %q -p %q -U %q -d %q -qc CHECKPOINT' "${CASCADE_DB_PASSWORD:-}" \
    "${CASCADE_DB_HOST:-127.0.0.1}" "${CASCADE_DB_PORT:-5432}" "${CASCADE_DB_USER:-postgres}" "$DB_NAME"
}

fresh_stack() {
  local group="${1,,}"
  stop_gateway
  admin_sql "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" || die "could not drop database $DB_NAME (psql)"
  export CASCADE_TOPICS_TASKS="enrichment.tasks.$group" CASCADE_TOPICS_RESULTS="enrichment.results.$group" \
    CASCADE_TOPICS_WORKFLOWS="enrichment.workflows.$group" CASCADE_TOPICS_TASKS_DLQ="enrichment.tasks.dlq.$group"
  if ((BROKER_OURS)) && alive "${KAFKA_PID:-}"; then
    run_bg "$ROOT/scripts/kafka-broker.sh" topics >>"$RUN_LOG" 2>&1 || die "could not create the $group topics (see $RUN_LOG)"
    return 0
  fi
  "$ROOT/scripts/kafka-broker.sh" stop >>"$RUN_LOG" 2>&1 || true
  rm -rf "$STATE/kafka-data"
  BROKER_OURS=1
  run_bg "$ROOT/scripts/kafka-broker.sh" start >>"$RUN_LOG" 2>&1 || die "Kafka did not start (see $RUN_LOG)"
  KAFKA_PID="$(awk '{print $1; exit}' "$STATE/kafka.pid")"
}

# start_gateway NAME [VAR=value ...]: the gateway of scenario NAME with those settings, ready, credits topped up.
start_gateway() {
  local name="$1"
  shift
  say "$name: starting the gateway ($*)"
  rm -f "$STATE/gateway.pid"
  local from
  from=$(($(wc -l <"$RUN_LOG") + 1))
  env QUARKUS_HTTP_PORT="$PORT" QUARKUS_MANAGEMENT_PORT="$MGMT_PORT" CASCADE_DB_NAME="$DB_NAME" GATEWAY_BOOTSTRAP_API_KEY="$KEY" \
    GATEWAY_ADMIN_TOKEN="$ADMIN" CASCADE_BOOTSTRAP_ORGANIZATION_PER_MINUTE=1000000 \
    CASCADE_BOOTSTRAP_KEY_PER_MINUTE=1000000 CASCADE_QUOTAS_PENDING_WORKFLOWS=0 CASCADE_QUOTAS_CONTACTS_PER_DAY=0 \
    CASCADE_READY_TIMEOUT="$READY_TIMEOUT" JAVA_OPTS="$BASE_JAVA_OPTS" JAVA_OPTS_APPEND="$BASE_APPEND" "$@" "$ROOT/scripts/run-local.sh" >>"$RUN_LOG" 2>&1 </dev/null &
  RUN_PID=$!
  local start_s=$SECONDS
  until tail -n +"$from" "$RUN_LOG" | grep -q 'Cascade gateway is ready'; do
    if ! alive "$RUN_PID"; then
      say "$name: the gateway did not start; last lines of $RUN_LOG:"
      tail -n 30 "$RUN_LOG" >&2
      exit 3
    fi
    ((SECONDS - start_s < READY_TIMEOUT + 30)) || die "$name: the gateway was not ready in ${READY_TIMEOUT}s"
    sleep 0.5
  done
  GW_PID="$(awk '{print $1; exit}' "$STATE/gateway.pid")"
  local org
  org="$(curl -s "$BASE/api/v1/public/auth/validate-key" -H "Authorization: Bearer $KEY" |
    sed -n 's/.*"organization_id":"\([^"]*\)".*/\1/p')"
  [[ -n "$org" ]] || die "$name: could not read the bootstrap organisation (validate-key)"
  curl -sf -o /dev/null -X POST "$BASE/api/v1/admin/organizations/$org/credits/top-ups" \
    -H "Authorization: Bearer $ADMIN" -H "Content-Type: application/json" \
    -d '{"amount":5000000,"reason":"bench/compare.sh"}' || die "$name: the credits top-up failed"
}

# Keeps the gateway log of a scenario and says what it logged at WARN or above.
keep_log() {
  cp "$GW_LOG" "$RES/gateway-$1.log" 2>/dev/null || return 0
  local n
  n="$(grep -cE '^[0-9:.]+ (WARN|ERROR|FATAL) ' "$GW_LOG" || true)"
  if ((n > 0)); then
    say "$1: the gateway logged $n WARN/ERROR lines (gateway-$1.log in $RES); the first 3:"
    grep -m 3 -E '^[0-9:.]+ (WARN|ERROR|FATAL) ' "$GW_LOG" | cut -c1-300 >&2
  fi
}

overall=0
E2E_COMMON=(--base-url "$BASE" --management-url "$MGMT" --key "$KEY" --results "$RAW" --timeout "$TIMEOUT" --clk-tck "$CLK_TCK")

# --- P1 ----------------------------------------------------------------------------------------------
if want P1; then
  fresh_stack P1
  start_gateway P1 CASCADE_ROLES=api
  run_bg client ingest "${E2E_COMMON[@]}" --prefix p1 --type "${CMP_P1_TYPE:-partial}" \
    --clients 1,4 --submits "${CMP_P1_SUBMITS:-400}" --rate "${CMP_P1_RATE:-50}" \
    --rate-submits "${CMP_P1_RATE_SUBMITS:-1000}" --warmup "${CMP_WARMUP_SUBMITS:-100}" \
    --warmup-seconds "${CMP_WARMUP_SECONDS:-10}" --before-phase "$(checkpoint_command)" \
    --gateway-pid "$GW_PID" --kafka-pid "$KAFKA_PID" || overall=1
  keep_log P1
fi

# --- P2, P5, P4 ----------------------------------------------------------------------------------------
if want P2 || want P5 || want P4; then
  fresh_stack P2
  start_gateway P2
  if want P2; then
    run_bg client e2e "${E2E_COMMON[@]}" --prefix p2 --type none --workflows "${CMP_P2_WORKFLOWS:-200}" \
      --clients "${CMP_P2_CLIENTS:-4}" --warmup-workflows "${CMP_P2_WARMUP_WORKFLOWS:-20}" \
      --gateway-pid "$GW_PID" --kafka-pid "$KAFKA_PID" --csv "$RES/p2-samples.csv" || overall=1
  fi
  if want P5; then
    p2_rate="$(awk '$1 == "p2.contacts_per_s" {print $2}' "$RAW")"
    offered="${CMP_P5_CONTACTS_PER_S:-}"
    if [[ -z "$offered" ]]; then
      if [[ "$p2_rate" =~ ^[0-9.]+$ ]]; then offered="$(awk -v r="$p2_rate" 'BEGIN {printf "%.1f", r / 2}')"; else
        offered=500
        say "P5: no P2 figure; offering $offered contacts/s (CMP_P5_CONTACTS_PER_S)"
      fi
    fi
    p5_contacts="${CMP_P5_CONTACTS:-250}"
    read -r p5_rate p5_n < <(awk -v o="$offered" -v c="$p5_contacts" -v s="${CMP_P5_SECONDS:-20}" \
      'BEGIN {r = o / c; n = int(r * s + 0.5); if (n < 1) n = 1; printf "%.4f %d\n", r, n}')
    emit p5.offered_contacts_per_s "$offered" contacts/s
    run_bg client e2e "${E2E_COMMON[@]}" --prefix p5 --type none --workflows "$p5_n" --contacts "$p5_contacts" \
      --rate "$p5_rate" --gateway-pid "$GW_PID" --kafka-pid "$KAFKA_PID" \
      --histograms cascade_task_settle_delay_seconds,cascade_task_turnaround_seconds,cascade_aggregator_settles_seconds,cascade_aggregator_settle_wait_seconds \
      || overall=1
  fi
  keep_log P2
  stop_gateway
  # The same work by plain clients, on the same broker and database with the gateway stopped (bench/lib).
  if want P5; then p5_plain "$offered" "$p5_contacts" || overall=1; fi
  if want P4; then
    for i in $(seq "${CMP_P4_LAUNCHES:-3}"); do
      rm -f "$STATE/gateway.pid"
      # The probe runs before the launcher, so that it sees the very first 200.
      client launch --url "$MGMT/q/health/ready" --pid-file "$STATE/gateway.pid" --results "$RAW" \
        --prefix "p4.launch$i" --clk-tck "$CLK_TCK" --timeout "$READY_TIMEOUT" &
      probe_pid=$!
      CHILD_PID=$probe_pid
      sleep 1
      start_gateway "P4 launch $i" CASCADE_SKIP_BUILD=1
      wait "$probe_pid" || overall=1
      CHILD_PID=""
      started="$(sed -n 's/.* started in \([0-9.]*\)s.*/\1/p' "$GW_LOG" | head -n 1)"
      emit "p4.launch$i.quarkus_started" "${started:-n/a}" s
      stop_gateway
    done
    # A bare application of the fixed choices, launched as often (bench/lib).
    p4_bare "${CMP_P4_LAUNCHES:-3}" || overall=1
  fi
fi

# --- P3 ----------------------------------------------------------------------------------------------
if want P3; then
  fresh_stack P3
  lat="${CMP_P3_LATENCY:-500ms}"
  mif="${CMP_P3_MAX_IN_FLIGHT:-2500}"
  bh="${CMP_P3_BULKHEAD:-3000}"
  props=""
  for p in sim-email-a sim-email-b sim-verify sim-phone sim-discovery; do
    props+=" -Dcascade.providers.$p.bulkhead.limit=$bh"
  done
  start_gateway P3 CASCADE_SIMULATOR_LATENCY_MIN="$lat" CASCADE_SIMULATOR_LATENCY_MAX="$lat" \
    CASCADE_WATERFALL_MAX_IN_FLIGHT="$mif" JAVA_OPTS_APPEND="$BASE_APPEND ${CMP_P3_HEAP:--Xmx384m}$props"
  curl -s "$BASE/api/v1/admin/providers" -H "Authorization: Bearer $ADMIN" >"$RES/p3-providers.json" || true
  say "P3: bulkhead limits the gateway reports: $(grep -o '"bulkhead[a-z_]*":[0-9]*' "$RES/p3-providers.json" |
    sort | uniq -c | tr -s ' \n' ' ')"
  run_bg client e2e "${E2E_COMMON[@]}" --prefix p3 --type partial --workflows "${CMP_P3_WORKFLOWS:-80}" \
    --clients "${CMP_P3_CLIENTS:-4}" --max-in-flight "$mif" --gateway-pid "$GW_PID" --kafka-pid "$KAFKA_PID" \
    --csv "$RES/p3-samples.csv" || overall=1
  keep_log P3
fi

stop_gateway
echo
echo "== bench/compare.sh: the gateway against the floor ($RES) =="
table "$RES" || overall=1
echo
echo "Raw figures: $RAW; floor: $RES/floor-summary.txt; table: $RES/table.md"
exit "$overall"
