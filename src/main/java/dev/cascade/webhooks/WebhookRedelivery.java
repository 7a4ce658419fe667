package dev.cascade.webhooks;

import java.util.UUID;
import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowIterator;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.cascade.config.CascadeConfig;

/**
 * Redelivery (§4.8): the workflow's `enrichment.completed` event goes out again — same `webhook-id`, same frozen body —
 * through the whole schedule once more, its attempts numbered on in the delivery log. Only an event that is done
 * (delivered, gone or exhausted) can be redelivered; one still being delivered is left to its schedule. An organisation
 * may redeliver at most `cascade.quotas.redeliveries-per-hour` times per clock hour: each redelivery can cost a
 * receiver a whole retry schedule.
 */
@ApplicationScoped
public class WebhookRedelivery {
    /**
     * The redelivery and its count in one statement: the organisation's redeliveries of the current clock hour are a
     * row of the shared counters table (scope `redeliver:<org>`), counted only when there is an event to send again
     * and only up to the cap, and the event is made due only when the count went up. $3 is the cap (0: none).
     */
    static final String REDELIVER_SQL = """
            WITH w AS (
                SELECT id, status, webhook_url FROM workflows WHERE id = $1 AND org_id = $2
            ), candidate AS (
                SELECT e.id FROM webhook_events e JOIN w ON e.workflow_id = w.id
                 WHERE e.event_type = 'enrichment.completed' AND e.status IN ('succeeded', 'gone', 'exhausted')
            ), counted AS (
                INSERT INTO rate_limit_windows (scope, window_start, hits)
                SELECT 'redeliver:' || $2::text, date_trunc('hour', now()), 1 FROM candidate WHERE $3::int > 0
                    ON CONFLICT (scope, window_start) DO UPDATE SET hits = rate_limit_windows.hits + 1
                 WHERE rate_limit_windows.hits < $3::int
             RETURNING hits
            ), again AS (
                UPDATE webhook_events e
                   SET status = 'pending', next_attempt_at = now(), schedule_start = e.attempts,
                       locked_until = NULL, finished_at = NULL
                  FROM candidate c
                 WHERE e.id = c.id AND e.status IN ('succeeded', 'gone', 'exhausted')
                   AND ($3::int = 0 OR EXISTS (SELECT 1 FROM counted))
             RETURNING e.id
            )
            SELECT w.status, w.webhook_url,
                   (SELECT id FROM again) AS redelivered,
                   EXISTS (SELECT 1 FROM candidate) AS due_again,
                   (SELECT status FROM webhook_events
                     WHERE workflow_id = w.id AND event_type = 'enrichment.completed') AS event_status,
                   ceil(extract(epoch FROM (date_trunc('hour', now()) + interval '1 hour' - now())))::int AS hour_left
              FROM w
            """;

    private final Pool pool;
    private final WebhookSender sender;
    private final int perHour;

    public WebhookRedelivery(Pool pool, WebhookSender sender, CascadeConfig config) {
        this.pool = pool;
        this.sender = sender;
        this.perHour = config.quotas().redeliveriesPerHour();
    }

    /** What a redelivery request came to. */
    public enum Outcome {
        /** The event is due again. */
        SCHEDULED,
        /** No such workflow in this organisation. */
        UNKNOWN_WORKFLOW,
        /** The workflow has no `webhook_url`. */
        NO_WEBHOOK,
        /** The workflow has not reached a terminal status yet, so there is no event to send again. */
        NOT_FINISHED,
        /** The event is still being delivered (pending or in flight). */
        IN_PROGRESS,
        /** The organisation used up its redeliveries of this hour (`cascade.quotas.redeliveries-per-hour`). */
        LIMITED
    }

    /**
     * The outcome, the `webhook-id` of the event when there is one, and for {@link Outcome#LIMITED} the seconds until
     * the hour ends.
     */
    public record Result(Outcome outcome, String webhookId, int retryAfterSeconds) {
        Result(Outcome outcome, String webhookId) {
            this(outcome, webhookId, 0);
        }
    }

    /** The organisation's redeliveries per clock hour (0: no cap). */
    public int perHour() {
        return perHour;
    }

    public Uni<Result> redeliver(UUID orgId, String workflowId) {
        return pool.withTransaction(
                        conn -> conn.preparedQuery(REDELIVER_SQL).execute(Tuple.of(workflowId, orgId, perHour)))
                .map(rows -> {
                    RowIterator<Row> it = rows.iterator();
                    if (!it.hasNext()) {
                        return new Result(Outcome.UNKNOWN_WORKFLOW, null);
                    }
                    Row row = it.next();
                    if (row.getString("webhook_url") == null) {
                        return new Result(Outcome.NO_WEBHOOK, null);
                    }
                    String redelivered = row.getString("redelivered");
                    if (redelivered != null) {
                        Log.infof("Webhook %s of workflow %s redelivered on request", redelivered, workflowId);
                        return new Result(Outcome.SCHEDULED, redelivered);
                    }
                    if (row.getBoolean("due_again")) {
                        return new Result(Outcome.LIMITED, null, Math.max(1, row.getInteger("hour_left")));
                    }
                    return row.getString("event_status") == null
                            ? new Result(Outcome.NOT_FINISHED, null)
                            : new Result(Outcome.IN_PROGRESS, null);
                })
                .invoke(result -> {
                    if (result.outcome() == Outcome.SCHEDULED) {
                        sender.wake();
                    }
                });
    }
}
