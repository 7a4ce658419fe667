package dev.cascade.webhooks;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.cascade.support.Times;

/**
 * Reads the delivery log of a workflow's webhook events, oldest attempt first, a page at a time. The order (attempt
 * time, attempt number, attempt id) is total, so pages neither repeat nor skip an attempt; attempts made while a client
 * pages come after what it has read.
 */
@ApplicationScoped
public class DeliveryLog {
    /** Where a page starts: after this attempt (null: from the first). */
    public record Position(OffsetDateTime attemptedAt, int attempt, UUID id) {}

    /** A page of attempts, and the position of its last one when more follow (null on the last page). */
    public record Page(List<DeliveryAttempt> attempts, Position next) {}

    private final Pool pool;

    public DeliveryLog(Pool pool) {
        this.pool = pool;
    }

    /**
     * Up to {@code limit} attempts of the organisation's workflow after {@code after} (both ids filter: defence in
     * depth behind the caller's check).
     */
    public Uni<Page> attempts(UUID orgId, String workflowId, Position after, int limit) {
        String sql = "SELECT a.id, e.event_type, e.id AS webhook_id, e.task_id, a.attempt, a.status,"
                + " a.response_status_code, a.error, a.attempted_at, a.duration_ms, a.next_attempt_at"
                + " FROM webhook_attempts a JOIN webhook_events e ON e.id = a.event_id WHERE a.workflow_id = $1 AND e.org_id = $2"
                + (after == null ? "" : " AND (a.attempted_at, a.attempt, a.id) > ($4, $5, $6)")
                + " ORDER BY a.attempted_at, a.attempt, a.id LIMIT $3";
        Tuple params = Tuple.of(workflowId, orgId, limit + 1);
        if (after != null) {
            params.addOffsetDateTime(after.attemptedAt())
                    .addInteger(after.attempt())
                    .addUUID(after.id());
        }
        return pool.preparedQuery(sql).execute(params).map(rows -> {
            List<DeliveryAttempt> attempts = new ArrayList<>();
            Position last = null;
            for (Row row : rows) {
                if (attempts.size() == limit) {
                    return new Page(attempts, last);
                }
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
                last = new Position(
                        row.getOffsetDateTime("attempted_at"), row.getInteger("attempt"), row.getUUID("id"));
            }
            return new Page(attempts, null);
        });
    }
}
