package dev.cascade.webhooks;

import java.util.ArrayList;
import java.util.List;
import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.cascade.config.CascadeConfig;
import dev.cascade.telemetry.Tracing;

/**
 * Claims due deliveries from the `webhook_events` outbox, fairly between organisations. Each organisation gets at
 * most its room under the in-flight cap (its live claims, of every sender, are counted in the outbox), and the slots
 * of one claim go round-robin, least loaded organisation first: every organisation's next event before anyone's
 * following one. Claimed rows are locked with {@code FOR UPDATE SKIP LOCKED}, so any number of senders share the
 * work and no attempt is made twice.
 */
@ApplicationScoped
class DeliveryClaims {
    /**
     * $1 the most events to claim, $2 the claim timeout in seconds, $3 the in-flight cap per organisation.
     *
     * <p>Window functions and {@code FOR UPDATE} cannot share a query level, so the fair order is computed first
     * (without locks, from twice as many candidates as wanted, since another sender may hold some), then the rows are
     * locked in that order. A row another sender claimed meanwhile fails the re-checked condition and is skipped.
     */
    static final String CLAIM_SQL = """
            WITH RECURSIVE orgs (org_id) AS (
                -- Every organisation with open events: one index descent each (a skip scan of webhook_events_org_open).
                (SELECT org_id FROM webhook_events WHERE status IN ('pending', 'in_flight') ORDER BY org_id LIMIT 1)
                UNION ALL
                SELECT (SELECT e.org_id FROM webhook_events e
                         WHERE e.status IN ('pending', 'in_flight') AND e.org_id > o.org_id
                         ORDER BY e.org_id LIMIT 1)
                  FROM orgs o WHERE o.org_id IS NOT NULL
            ), load AS (
                -- Live claims per organisation: this sender's running attempts and every other sender's.
                SELECT o.org_id,
                       (SELECT count(*) FROM webhook_events e
                         WHERE e.org_id = o.org_id AND e.status = 'in_flight' AND e.locked_until >= now()) AS busy
                  FROM orgs o WHERE o.org_id IS NOT NULL
            ), candidates AS (
                -- Each organisation's oldest due events (retries due, and claims that expired), at most its room;
                -- its n-th candidate takes turn busy + n.
                SELECT d.id, d.next_attempt_at,
                       l.busy + row_number() OVER (PARTITION BY l.org_id ORDER BY d.next_attempt_at) AS turn
                  FROM load l
                  CROSS JOIN LATERAL (
                      SELECT x.id, x.next_attempt_at FROM (
                          (SELECT e.id, e.next_attempt_at FROM webhook_events e
                            WHERE e.org_id = l.org_id AND e.status = 'pending' AND e.next_attempt_at <= now()
                            ORDER BY e.next_attempt_at LIMIT greatest(0, least($3 - l.busy, $1)))
                          UNION ALL
                          (SELECT e.id, e.next_attempt_at FROM webhook_events e
                            WHERE e.org_id = l.org_id AND e.status = 'in_flight' AND e.locked_until < now()
                            ORDER BY e.next_attempt_at LIMIT greatest(0, least($3 - l.busy, $1)))
                      ) x
                       ORDER BY x.next_attempt_at
                       LIMIT greatest(0, least($3 - l.busy, $1))
                  ) d
            ), due AS (
                SELECT e.id FROM webhook_events e
                  JOIN (SELECT id, turn, next_attempt_at FROM candidates
                         ORDER BY turn, next_attempt_at LIMIT 2 * $1) c ON c.id = e.id
                 WHERE (e.status = 'pending' AND e.next_attempt_at <= now())
                    OR (e.status = 'in_flight' AND e.locked_until < now())
                 ORDER BY c.turn, c.next_attempt_at
                 LIMIT $1
                   FOR UPDATE OF e SKIP LOCKED
            ), interrupted AS (
                UPDATE webhook_attempts a SET status = 'failed', error = 'interrupted'
                  FROM due WHERE a.event_id = due.id AND a.status = 'in_flight'
            ), claimed AS (
                UPDATE webhook_events e
                   SET status = 'in_flight', attempts = e.attempts + 1,
                       locked_until = now() + make_interval(secs => $2)
                  FROM due WHERE e.id = due.id
             RETURNING e.id, e.org_id, e.workflow_id, e.task_id, e.event_type, e.url, e.attempts, e.schedule_start,
                       e.payload
            ), logged AS (
                INSERT INTO webhook_attempts (id, event_id, workflow_id, attempt, status, attempted_at)
                SELECT gen_random_uuid(), id, workflow_id, attempts, 'in_flight', now() FROM claimed
             RETURNING id, event_id
            )
            SELECT c.*, l.id AS attempt_id, NULL::bigint AS held FROM claimed c JOIN logged l ON l.event_id = c.id
             UNION ALL
            -- One more row: how many organisations had due events but no room under the cap (the metric).
            SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, count(*)
              FROM load l
             WHERE l.busy >= $3
               AND EXISTS (SELECT 1 FROM webhook_events e
                            WHERE e.org_id = l.org_id AND e.status = 'pending' AND e.next_attempt_at <= now())
            """;

    /**
     * {@link #CLAIM_SQL} plus each event's workflow trace context (the `traceparent` the submit stored in
     * `workflows.options`), used when tracing is on so that the attempt is a span of the workflow's trace.
     */
    static final String TRACED_CLAIM_SQL = traced(CLAIM_SQL);

    private static String traced(String sql) {
        String traced = sql.replace(
                        "SELECT c.*, l.id AS attempt_id, NULL::bigint AS held FROM",
                        "SELECT c.*, l.id AS attempt_id, NULL::bigint AS held,"
                                + " (SELECT w.options ->> 'traceparent' FROM workflows w WHERE w.id = c.workflow_id)"
                                + " AS traceparent FROM")
                .replace("NULL, count(*)\n", "NULL, count(*), NULL\n");
        if (traced.equals(sql) || !traced.contains("count(*), NULL")) {
            throw new IllegalStateException("the claim statement changed: update DeliveryClaims.traced");
        }
        return traced;
    }

    /** The counter of deliveries held back by a fairness cap, by {@code reason}. */
    static final String DEFERRED = "cascade.webhooks.deferred";

    static final String DEFERRED_DESCRIPTION = "Webhook deliveries held back by a fairness cap: organisations at their"
            + " in-flight cap with due events, per claim (in_flight_cap); attempts that waited for their organisation's"
            + " DNS lookups (dns_cap)";

    private final Pool pool;
    private final CascadeConfig.Webhooks config;
    private final Counter held;
    private final boolean traced;

    DeliveryClaims(Pool pool, CascadeConfig config, MeterRegistry meters, Tracing tracing) {
        this.pool = pool;
        this.traced = tracing.enabled();
        this.config = config.webhooks();
        this.held = Counter.builder(DEFERRED)
                .description(DEFERRED_DESCRIPTION)
                .tag("reason", "in_flight_cap")
                .register(meters);
    }

    /** Claims at most {@code limit} due deliveries, each organisation within its in-flight cap. */
    Uni<List<Claimed>> claim(int limit) {
        return pool.withTransaction(conn -> conn.preparedQuery(traced ? TRACED_CLAIM_SQL : CLAIM_SQL)
                        .execute(Tuple.of(
                                limit,
                                (double) config.claimTimeout().toSeconds(),
                                config.fairness().inFlightPerOrganization())))
                .map(rows -> {
                    List<Claimed> claimed = new ArrayList<>();
                    for (Row row : rows) {
                        if (row.getString("id") == null) {
                            held.increment(row.getLong("held"));
                            continue;
                        }
                        claimed.add(new Claimed(
                                row.getString("id"),
                                row.getUUID("org_id"),
                                row.getString("workflow_id"),
                                row.getUUID("task_id"),
                                row.getString("event_type"),
                                row.getString("url"),
                                row.getInteger("attempts"),
                                row.getInteger("schedule_start"),
                                row.getString("payload"),
                                row.getUUID("attempt_id"),
                                traced ? row.getString("traceparent") : null));
                    }
                    return claimed;
                });
    }
}
