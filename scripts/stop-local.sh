#!/usr/bin/env bash
# Stops whatever the local stack left running: a run-local.sh still alive (which then shuts its stack down
# itself), a gateway, the Kafka broker and the private PostgreSQL of this state dir, found through the pid
# files in the state dir. The shared PostgreSQL (CASCADE_DB_HOST:CASCADE_DB_PORT) is never touched.
#
#   ./scripts/stop-local.sh
set -euo pipefail

# shellcheck source=scripts/lib/common.sh
source "$(dirname "$0")/lib/common.sh"
SCRIPTS="$REPO_ROOT/scripts"

run_pid="$(pid_file_alive "$STATE_DIR/run-local.pid")"
if [[ -n "$run_pid" ]]; then
  log "run-local.sh (pid $run_pid) is running: asking it to shut down"
  kill -TERM "$run_pid" 2>/dev/null || true
  deadline=$((SECONDS + 120))
  while pid_alive "$run_pid" && ((SECONDS < deadline)); do sleep 0.2; done
  if pid_alive "$run_pid"; then
    warn "run-local.sh (pid $run_pid) is still running after 120s; killing it and cleaning up here"
    kill -KILL "$run_pid" 2>/dev/null || true
  fi
fi
rm -f "$STATE_DIR/run-local.pid"

gw_pid="$(pid_file_alive "$STATE_DIR/gateway.pid")"
if [[ -n "$gw_pid" ]]; then
  stop_tree "$gw_pid" "gateway" 30
fi
rm -f "$STATE_DIR/gateway.pid"

"$SCRIPTS/kafka-broker.sh" stop
"$SCRIPTS/postgres.sh" stop
log "nothing of the local stack is running any more"
