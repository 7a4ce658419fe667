#!/usr/bin/env bash
# End-to-end check of the README's run command: starts the local stack (scripts/run-local.sh) on spare ports,
# posts the seed documentation's first bulk example (only host and key changed; webhook_url pointed at a local
# receiver), waits until the workflow is `completed` and its webhook has arrived, prints both, and stops
# everything it started. Exit code 0 means the whole path works.
#
#   ./scripts/smoke-local.sh
#
# It also checks that health and metrics answer on the management port and not on the public one, and that the
# operator token run-local.sh generated opens the operator API.
#
# Environment: SMOKE_HTTP_PORT (28080), SMOKE_MANAGEMENT_PORT (28081), SMOKE_KAFKA_PORT (29092),
# SMOKE_RECEIVER_PORT (29000), SMOKE_TIMEOUT (300 s for the stack to come up).
set -euo pipefail
cd "$(dirname "$0")/.."

HTTP_PORT="${SMOKE_HTTP_PORT:-28080}"
MANAGEMENT_PORT="${SMOKE_MANAGEMENT_PORT:-28081}"
RECEIVER_PORT="${SMOKE_RECEIVER_PORT:-29000}"
STATE="${CASCADE_STATE_DIR:-.local-stack-smoke}"
KEY="clapi_$(head -c 48 /dev/urandom | base64 -w0 | tr '+/' '-_')"
mkdir -p "$STATE"
RECEIVED="$STATE/received-webhooks.log"
rm -f "$RECEIVED"
STACK_PID=""
RECEIVER_PID=""

cleanup() {
  set +e
  [[ -n "$STACK_PID" ]] && kill -TERM "$STACK_PID" 2>/dev/null && wait "$STACK_PID" 2>/dev/null
  [[ -n "$RECEIVER_PID" ]] && kill "$RECEIVER_PID" 2>/dev/null && wait "$RECEIVER_PID" 2>/dev/null
}
trap cleanup EXIT INT TERM

java scripts/lib/WebhookReceiver.java "$RECEIVER_PORT" "$RECEIVED" &
RECEIVER_PID=$!

QUARKUS_HTTP_PORT="$HTTP_PORT" QUARKUS_MANAGEMENT_PORT="$MANAGEMENT_PORT" KAFKA_PORT="${SMOKE_KAFKA_PORT:-29092}" \
  KAFKA_CONTROLLER_PORT="$(( ${SMOKE_KAFKA_PORT:-29092} + 1 ))" CASCADE_STATE_DIR="$STATE" \
  GATEWAY_BOOTSTRAP_API_KEY="$KEY" ./scripts/run-local.sh > "$STATE/run-local.out" 2>&1 &
STACK_PID=$!

base="http://localhost:$HTTP_PORT"
management="http://localhost:$MANAGEMENT_PORT"
deadline=$(( $(date +%s) + ${SMOKE_TIMEOUT:-300} ))
until curl -fsS "$management/q/health/ready" >/dev/null 2>&1; do
  if ! kill -0 "$STACK_PID" 2>/dev/null || (( $(date +%s) > deadline )); then
    echo "[smoke] the stack did not come up; its output:"; tail -40 "$STATE/run-local.out"; exit 1
  fi
  sleep 1
done
echo "[smoke] gateway ready at $base (management $management)"

code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
[[ "$(code "$management/q/metrics")" == 200 ]] || { echo "[smoke] no metrics on the management port"; exit 1; }
for path in /q/health/ready /q/metrics /q/openapi; do
  [[ "$(code "$base$path")" == 404 ]] || { echo "[smoke] $path is served on the public port"; exit 1; }
done
admin_code="$(code "$base/api/v1/admin/organizations" -H "Authorization: Bearer $(cat "$STATE/admin-token")")"
[[ "$admin_code" == 200 ]] || { echo "[smoke] the generated operator token was refused ($admin_code)"; exit 1; }
echo "[smoke] health and metrics only on the management port; the operator token works"

answer=$(curl -sS -X POST "$base/api/v1/public/enrich/bulk" \
  -H "Authorization: Bearer $KEY" \
  -H "Content-Type: application/json" \
  -d '{
    "enrichment_type": "partial",
    "webhook_url": "http://127.0.0.1:'"$RECEIVER_PORT"'/webhooks/cleanlist",
    "contacts": [
      { "first_name": "John", "last_name": "Doe", "company_domain": "acme.com" },
      { "linkedin_url": "https://www.linkedin.com/in/janedoe" },
      { "first_name": "Sam", "last_name": "Lee", "company_name": "Globex" }
    ]
  }')
echo "[smoke] submit answered: $answer"
workflow=$(printf '%s' "$answer" | sed -n 's/.*"workflow_id":"\([^"]*\)".*/\1/p')
[[ -n "$workflow" ]] || { echo "[smoke] no workflow_id in the answer"; exit 1; }

status=""
for _ in $(seq 1 120); do
  poll=$(curl -sS "$base/api/v1/public/enrich/status?workflow_id=$workflow" -H "Authorization: Bearer $KEY")
  status=$(printf '%s' "$poll" | sed -n 's/.*"status":"\([^"]*\)".*/\1/p')
  [[ "$status" == completed || "$status" == completed_with_errors || "$status" == failed ]] && break
  sleep 0.5
done
echo "[smoke] status: $poll"
[[ "$status" == completed ]] || { echo "[smoke] workflow did not complete (status: $status)"; exit 1; }

for _ in $(seq 1 60); do
  [[ -s "$RECEIVED" ]] && break
  sleep 0.5
done
[[ -s "$RECEIVED" ]] || { echo "[smoke] no webhook arrived"; exit 1; }
echo "[smoke] webhook received:"
head -c 600 "$RECEIVED"; echo " …"
grep -q "\"workflow_id\":\"$workflow\"" "$RECEIVED" || { echo "[smoke] the webhook is not this workflow's"; exit 1; }
echo "[smoke] deliveries: $(curl -sS "$base/api/v1/public/webhooks/deliveries?workflow_id=$workflow" -H "Authorization: Bearer $KEY")"
echo "[smoke] OK: the seed example completed and its webhook arrived"
