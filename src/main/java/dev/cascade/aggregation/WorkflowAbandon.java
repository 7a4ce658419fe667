package dev.cascade.aggregation;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.cascade.support.Json;

/**
 * Gives up a workflow whose task records could not be published (`cascade.dispatch.*`). In one transaction under the
 * workflow's row lock, and only while no dispatch was confirmed since the sweeper's attempt ({@code
 * dispatch_attempts} unchanged): every unsettled task settles `failed` with `error: "dispatch_failed"` through the
 * aggregator's own settle statement, so the hold is released, the workflow goes terminal and its one webhook is
 * recorded, exactly as for any other settlement. Keyed by a workflow the sweeper claimed itself, not by an id from a
 * request: not filtered by organisation.
 */
@ApplicationScoped
public class WorkflowAbandon {
    /** The reason an abandoned workflow's tasks carry in their `error`. */
    public static final String REASON = "dispatch_failed";

    /** What was given up: the workflow's status after it and how many tasks settled failed. */
    public record Abandoned(String workflowId, String status, int failedTasks) {}

    private final Pool pool;
    private final ResultAggregator aggregator;
    private final WorkflowCancel cancel;
    private final Json json;

    public WorkflowAbandon(Pool pool, ResultAggregator aggregator, WorkflowCancel cancel, Json json) {
        this.pool = pool;
        this.aggregator = aggregator;
        this.cancel = cancel;
        this.json = json;
    }

    /**
     * Gives the workflow up unless it finished or its dispatch was confirmed after attempt {@code attempts} (null
     * then). The result records of the tasks it failed are published afterwards, best effort: the broker is likely
     * the reason for giving up, and the status endpoint is authoritative.
     */
    public Uni<Abandoned> abandon(String workflowId, int attempts) {
        List<CompletedWorkflow> terminal = new ArrayList<>();
        List<String> published = new ArrayList<>();
        UUID[] org = new UUID[1];
        return pool.withTransaction(conn -> conn.preparedQuery(
                                "SELECT org_id, enrichment_type, custom::text AS custom FROM workflows WHERE id = $1"
                                        + " AND status IN ('pending', 'running') AND dispatch_attempts = $2"
                                        + " FOR NO KEY UPDATE")
                        .execute(Tuple.of(workflowId, attempts))
                        .chain(rows -> {
                            if (rows.rowCount() == 0) {
                                return Uni.createFrom().nullItem();
                            }
                            Row workflow = rows.iterator().next();
                            UUID orgId = workflow.getUUID("org_id");
                            org[0] = orgId;
                            String type = workflow.getString("enrichment_type");
                            Map<String, String> custom = json.stringMap(workflow.getString("custom"));
                            return conn.preparedQuery(
                                            "UPDATE workflows SET dispatch_abandoned_at = now() WHERE id = $1")
                                    .execute(Tuple.of(workflowId))
                                    .chain(() -> cancel.failUnsettled(
                                            conn, orgId, workflowId, type, custom, REASON, published, terminal))
                                    .chain(count -> conn.preparedQuery("SELECT status FROM workflows WHERE id = $1")
                                            .execute(Tuple.of(workflowId))
                                            .map(after -> new Abandoned(
                                                    workflowId,
                                                    after.iterator().next().getString("status"),
                                                    count)));
                        }))
                .invoke(abandoned -> {
                    if (abandoned != null) {
                        aggregator.announce(terminal);
                        // Not waited for: with the broker away the sweep must not wait for its delivery timeout.
                        cancel.publish(org[0], workflowId, published)
                                .subscribe()
                                .with(done -> {}, failure -> {});
                    }
                });
    }
}
