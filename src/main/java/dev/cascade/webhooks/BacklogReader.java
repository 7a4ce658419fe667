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

/**
 * The webhook backlog as the operator sees it (`GET /api/v1/admin/webhooks/backlog`): open events (pending or in
 * flight) by state, by organisation, and the oldest of them. Read from the outbox at the moment of the request, across
 * every replica (the gauges of {@link WebhookBacklog} show the same counts every 15 s).
 */
@ApplicationScoped
public class BacklogReader {
    private static final String COUNTS =
            "count(*) FILTER (WHERE status = 'pending' AND next_attempt_at <= now()) AS due,"
                    + " count(*) FILTER (WHERE status = 'pending' AND next_attempt_at > now()) AS scheduled,"
                    + " count(*) FILTER (WHERE status = 'in_flight') AS in_flight";

    private final Pool pool;

    public BacklogReader(Pool pool) {
        this.pool = pool;
    }

    /** Open events due now, scheduled for a later retry, and in flight. */
    public record Counts(long due, long scheduled, long inFlight) {}

    /** An organisation's open events. */
    public record OrgBacklog(UUID organizationId, String name, long due, long scheduled, long inFlight) {}

    /** One open event. */
    public record OpenEvent(
            String webhookId,
            UUID organizationId,
            String workflowId,
            String eventType,
            String status,
            int attempts,
            String nextAttemptAt,
            String createdAt) {}

    /** The backlog: totals, the organisations with open events (most first), the oldest open events. */
    public record Backlog(Counts totals, List<OrgBacklog> organizations, List<OpenEvent> oldest) {}

    /** The backlog now: every count, the {@code limit} busiest organisations and the {@code limit} oldest events. */
    public Uni<Backlog> read(int limit) {
        Uni<Counts> totals = pool.query(
                        "SELECT " + COUNTS + " FROM webhook_events WHERE status IN ('pending', 'in_flight')")
                .execute()
                .map(rows -> {
                    Row row = rows.iterator().next();
                    return new Counts(row.getLong("due"), row.getLong("scheduled"), row.getLong("in_flight"));
                });
        Uni<List<OrgBacklog>> orgs = pool.preparedQuery("SELECT e.org_id, o.name, " + COUNTS
                        + " FROM webhook_events e JOIN organizations o ON o.id = e.org_id"
                        + " WHERE e.status IN ('pending', 'in_flight') GROUP BY e.org_id, o.name"
                        + " ORDER BY count(*) DESC, e.org_id LIMIT $1")
                .execute(Tuple.of(limit))
                .map(rows -> {
                    List<OrgBacklog> list = new ArrayList<>();
                    for (Row row : rows) {
                        list.add(new OrgBacklog(
                                row.getUUID("org_id"),
                                row.getString("name"),
                                row.getLong("due"),
                                row.getLong("scheduled"),
                                row.getLong("in_flight")));
                    }
                    return list;
                });
        Uni<List<OpenEvent>> oldest = pool.preparedQuery(
                        "SELECT id, org_id, workflow_id, event_type, status, attempts, next_attempt_at, created_at"
                                + " FROM webhook_events WHERE status IN ('pending', 'in_flight')"
                                + " ORDER BY created_at, id LIMIT $1")
                .execute(Tuple.of(limit))
                .map(rows -> {
                    List<OpenEvent> list = new ArrayList<>();
                    for (Row row : rows) {
                        list.add(new OpenEvent(
                                row.getString("id"),
                                row.getUUID("org_id"),
                                row.getString("workflow_id"),
                                row.getString("event_type"),
                                row.getString("status"),
                                row.getInteger("attempts"),
                                Times.format(row.getOffsetDateTime("next_attempt_at")),
                                Times.format(row.getOffsetDateTime("created_at"))));
                    }
                    return list;
                });
        return Uni.combine().all().unis(totals, orgs, oldest).with(Backlog::new);
    }
}
