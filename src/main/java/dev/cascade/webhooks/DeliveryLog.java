package dev.cascade.webhooks;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.cascade.support.Times;

/** Reads the delivery log of a workflow's webhook events, oldest attempt first. */
@ApplicationScoped
public class DeliveryLog {
    private final Pool pool;

    public DeliveryLog(Pool pool) {
        this.pool = pool;
    }

    /** The attempts of the organisation's workflow (both ids filter: defence in depth behind the caller's check). */
    public Uni<List<DeliveryAttempt>> attempts(UUID orgId, String workflowId) {
        return pool.preparedQuery("SELECT a.id, e.event_type, e.id AS webhook_id, e.task_id, a.attempt, a.status,"
                        + " a.response_status_code, a.error, a.attempted_at, a.duration_ms, a.next_attempt_at"
                        + " FROM webhook_attempts a JOIN webhook_events e ON e.id = a.event_id"
                        + " WHERE a.workflow_id = $1 AND e.org_id = $2 ORDER BY a.attempted_at, a.attempt")
                .execute(Tuple.of(workflowId, orgId))
                .map(rows -> {
                    List<DeliveryAttempt> attempts = new ArrayList<>();
                    for (Row row : rows) {
                        attempts.add(new DeliveryAttempt(
                                row.getUUID("id"),
                                row.getString("event_type"),
                                row.getString("webhook_id"),
                                row.getUUID("task_id"),
                                row.getInteger("attempt"),
                                row.getString("status"),
                                row.getInteger("response_status_code"),
                                row.getString("error"),
                                Times.format(row.getOffsetDateTime("attempted_at")),
                                row.getInteger("duration_ms"),
                                Times.format(row.getOffsetDateTime("next_attempt_at"))));
                    }
                    return attempts;
                });
    }
}
