# shellcheck shell=bash
# Plain bounds for P4's start and P5's latency, measured in the sitting beside the gateway's (docs/performance.md,
# "Method, and what bounds each figure"). The shared floor (../shared/perf-floor) has no figure for either; these
# say what this machine does for the same work without the gateway:
#   P5  plain clients doing P5's work (bench/P5Floor.java: task records in bursts of a submit's contacts, two workers
#       producing results as the gateway's result producer does, one aggregator settling each poll in one PostgreSQL
#       transaction) at the rate the gateway's P5 was offered, on the sitting's broker and database, gateway stopped
#   P4  launch -> ready of a bare application made of the project's fixed choices only (bench/startup-floor: REST with
#       Jackson, Hibernate Reactive Panache, the reactive PostgreSQL client, Flyway, fault tolerance, two Kafka
#       channels, health), with the gateway's JVM options and an AppCDS archive trained by one start, as the run
#       command trains the gateway's
# Sourced by bench/compare.sh, which defines ROOT, RES, STATE, JAVA, DB_NAME, the ports, emit, say, run_bg, client
# and CHILD_PID, and uses admin_sql below for its own database.

# The gateway's JVM options (its memory budget), as scripts/run-local.sh starts it unless JAVA_OPTS replaces them.
gateway_jvm_opts() {
  if [[ -n "${BASE_JAVA_OPTS:-}" ]]; then
    echo "$BASE_JAVA_OPTS"
    return
  fi
  sed -n '/^GATEWAY_JVM_OPTS="/,/"$/p' "$ROOT/scripts/run-local.sh" | tr '\n' ' ' |
    sed 's/^GATEWAY_JVM_OPTS="//; s/" *$//'
}

# admin_sql SQL...: runs each statement in the server's `postgres` database, quietly.
admin_sql() {
  local -a commands=()
  local sql
  for sql in "$@"; do commands+=(-c "$sql"); done
  PGPASSWORD="${CASCADE_DB_PASSWORD:-}" PGOPTIONS='-c client_min_messages=warning' psql -q \
    -h "${CASCADE_DB_HOST:-127.0.0.1}" -p "${CASCADE_DB_PORT:-5432}" -U "${CASCADE_DB_USER:-postgres}" -d postgres \
    "${commands[@]}" >/dev/null
}

# p5_plain RATE CONTACTS: P5's work by plain clients, emitted as p5.plain.settle_delay.{p50,p99}.
p5_plain() {
  local rate="$1" contacts="$2" out="$RES/p5-plain.out" p50 p90 p99 max
  local url="jdbc:postgresql://${CASCADE_DB_HOST:-127.0.0.1}:${CASCADE_DB_PORT:-5432}/$DB_NAME"
  url+="?user=${CASCADE_DB_USER:-postgres}&password=${CASCADE_DB_PASSWORD:-}"
  say "P5, plain clients: $rate contacts/s in bursts of $contacts (bench/P5Floor.java, output in $out)"
  if ! run_bg "$JAVA" -cp "$ROOT/target/quarkus-app/lib/main/*" "$ROOT/bench/P5Floor.java" "127.0.0.1:$K_PORT" \
    "$url" "$rate" "${CMP_P5_SECONDS:-20}" "$contacts" >"$out" 2>&1; then
    say "P5, plain clients: failed; last lines of $out:"
    tail -n 20 "$out" >&2
    return 1
  fi
  read -r p50 p90 p99 max < <(awk '$1 == "p5floor.settle_delay_ms" {print $3, $5, $7, $9}' "$out")
  emit p5.plain.settle_delay.p50 "${p50:-n/a}" ms
  emit p5.plain.settle_delay.p99 "${p99:-n/a}" ms
  say "P5, plain clients: settle delay p50 ${p50:-n/a} ms, p90 ${p90:-n/a}, p99 ${p99:-n/a}, max ${max:-n/a}"
}

# bare_start PID_FILE [JVM OPTIONS...]: starts the bare application in the background and writes its pid.
bare_start() {
  local pid_file="$1"
  shift
  local -a opts
  read -r -a opts <<<"$(gateway_jvm_opts)"
  local db="${CASCADE_DB_HOST:-127.0.0.1}:${CASCADE_DB_PORT:-5432}/${DB_NAME}_bare"
  env -C "$ROOT/bench/startup-floor/target/quarkus-app" KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:$K_PORT" \
    QUARKUS_HTTP_PORT="$PORT" QUARKUS_MANAGEMENT_PORT="$MGMT_PORT" \
    QUARKUS_DATASOURCE_REACTIVE_URL="postgresql://$db" QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://$db" \
    QUARKUS_DATASOURCE_USERNAME="${CASCADE_DB_USER:-postgres}" QUARKUS_DATASOURCE_PASSWORD="${CASCADE_DB_PASSWORD:-}" \
    MALLOC_ARENA_MAX=2 "$JAVA" "${opts[@]}" "$@" -jar quarkus-run.jar >>"$RES/p4-bare.log" 2>&1 &
  echo "$!" >"$pid_file"
}

# bare_stop PID_FILE: stops it (only if that pid is still the bare application) and waits for it, at most 60 s.
bare_stop() {
  local pid deadline
  pid="$(cat "$1" 2>/dev/null || true)"
  rm -f "$1"
  [[ -n "$pid" ]] && grep -qa 'quarkus-run.jar' "/proc/$pid/cmdline" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + 60))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# p4_bare N: builds the bare application, trains its archive with one start, then N launches measured by the same
# probe as the gateway's (p4.bare.launchI.ready / .cpu).
p4_bare() {
  local n="$1" app="$ROOT/bench/startup-floor/target/quarkus-app" pid_file="$STATE/bare.pid" i
  rm -f "$pid_file"
  say "P4, bare application: building bench/startup-floor (output in $RES/p4-bare-build.out)"
  if ! run_bg "$ROOT/mvnw" -B -q -f "$ROOT/bench/startup-floor/pom.xml" package -DskipTests \
    >"$RES/p4-bare-build.out" 2>&1; then
    say "P4, bare application: the build failed (see $RES/p4-bare-build.out)"
    return 1
  fi
  admin_sql "DROP DATABASE IF EXISTS ${DB_NAME}_bare WITH (FORCE)" "CREATE DATABASE ${DB_NAME}_bare" || return 1
  rm -f "$app/trained.jsa"
  : >"$RES/p4-bare.log"
  # The training start: as the run command's for the gateway, stopped 2 s after it is ready; the JVM writes the
  # archive as it exits.
  # A bare application that cannot start is given 120 s, not the gateway's first-build allowance.
  client launch --url "$MGMT/q/health/ready" --pid-file "$pid_file" --results /dev/null --prefix p4.bare.training \
    --clk-tck "$CLK_TCK" --timeout 120 &
  CHILD_PID=$!
  bare_start "$pid_file" -XX:ArchiveClassesAtExit=trained.jsa
  wait "$CHILD_PID" || true
  CHILD_PID=""
  sleep 2
  bare_stop "$pid_file"
  [[ -s "$app/trained.jsa" ]] || say "P4, bare application: no trained archive; launching from the build's"
  for i in $(seq "$n"); do
    client launch --url "$MGMT/q/health/ready" --pid-file "$pid_file" --results "$RAW" --prefix "p4.bare.launch$i" \
      --clk-tck "$CLK_TCK" --timeout 120 &
    CHILD_PID=$!
    sleep 1
    if [[ -s "$app/trained.jsa" ]]; then
      bare_start "$pid_file" -XX:SharedArchiveFile=trained.jsa
    else
      bare_start "$pid_file" -XX:SharedArchiveFile=app-cds.jsa
    fi
    wait "$CHILD_PID" || true
    CHILD_PID=""
    bare_stop "$pid_file"
  done
  admin_sql "DROP DATABASE IF EXISTS ${DB_NAME}_bare WITH (FORCE)" || true
}
