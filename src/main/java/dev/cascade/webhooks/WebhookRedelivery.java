package dev.cascade.webhooks;

import java.util.UUID;
import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowIterator;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Redelivery (§4.8): the workflow's `enrichment.completed` event goes out again — same `webhook-id`, same frozen body —
 * through the whole schedule once more, its attempts numbered on in the delivery log. Only an event that is done
 * (delivered, gone or exhausted) can be redelivered; one still being delivered is left to its schedule.
 */
@ApplicationScoped
public class WebhookRedelivery {
    static final String REDELIVER_SQL = """
            WITH w AS (
                SELECT id, status, webhook_url FROM workflows WHERE id = $1 AND org_id = $2
            ), again AS (
                UPDATE webhook_events e
                   SET status = 'pending', next_attempt_at = now(), schedule_start = e.attempts,
                       locked_until = NULL, finished_at = NULL
                  FROM w
                 WHERE e.workflow_id = w.id AND e.event_type = 'enrichment.completed'
                   AND e.status IN ('succeeded', 'gone', 'exhausted')
             RETURNING e.id
            )
            SELECT w.status, w.webhook_url,
                   (SELECT id FROM again) AS redelivered,
                   (SELECT status FROM webhook_events
                     WHERE workflow_id = w.id AND event_type = 'enrichment.completed') AS event_status
              FROM w
            """;

    private final Pool pool;
    private final WebhookSender sender;

    public WebhookRedelivery(Pool pool, WebhookSender sender) {
        this.pool = pool;
        this.sender = sender;
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
        IN_PROGRESS
    }

    /** The outcome, and the `webhook-id` of the event when there is one. */
    public record Result(Outcome outcome, String webhookId) {}

    public Uni<Result> redeliver(UUID orgId, String workflowId) {
        return pool.withTransaction(conn -> conn.preparedQuery(REDELIVER_SQL).execute(Tuple.of(workflowId, orgId)))
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
