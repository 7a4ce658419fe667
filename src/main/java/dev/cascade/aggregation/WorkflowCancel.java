package dev.cascade.aggregation;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

import dev.cascade.events.Channels;
import dev.cascade.events.CloudEvents;
import dev.cascade.events.ResultEvent;
import dev.cascade.events.ResultItem;
import dev.cascade.support.ApiException;
import dev.cascade.support.Json;

/**
 * Cancel (§4.6). In one transaction under the workflow's row lock: the workflow is marked cancelled, and every task
 * not yet settled — not started, or running — settles `failed` with `error: "cancelled"` through the aggregator's own
 * settle statement, so its hold is released, the counters move, the workflow goes terminal and its webhook is
 * recorded, exactly as for any other settlement, without waiting for the vendor calls already under way. Their late
 * results find the task settled and change nothing (no charge: the status endpoint stays authoritative); queued task
 * records of the workflow are answered `cancelled` by the waterfall without calling a provider.
 */
@ApplicationScoped
public class WorkflowCancel {
    private static final List<String> TERMINAL = List.of("completed", "completed_with_errors", "failed");

    /** What a cancel did: the workflow's status after it (terminal) and how many tasks it settled. */
    public record Cancelled(String workflowId, String status, int cancelledTasks) {}

    private final Pool pool;
    private final ResultAggregator aggregator;
    private final Cancellations cancellations;
    private final Json json;
    private final MutinyEmitter<String> results;

    public WorkflowCancel(
            Pool pool,
            ResultAggregator aggregator,
            Cancellations cancellations,
            Json json,
            @Channel(Channels.CANCELLED_RESULTS_OUT) @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 4096)
                    MutinyEmitter<String> results) {
        this.results = results;
        this.pool = pool;
        this.aggregator = aggregator;
        this.cancellations = cancellations;
        this.json = json;
    }

    /** Cancels the organisation's workflow; null when it is unknown or another organisation's; 409 when finished. */
    public Uni<Cancelled> cancel(UUID orgId, String workflowId) {
        List<CompletedWorkflow> terminal = new ArrayList<>();
        List<String> published = new ArrayList<>();
        return pool.withTransaction(conn -> conn.preparedQuery("SELECT status, enrichment_type, custom::text AS custom"
                                + " FROM workflows WHERE id = $1 AND org_id = $2 FOR NO KEY UPDATE")
                        .execute(Tuple.of(workflowId, orgId))
                        .chain(rows -> {
                            if (rows.rowCount() == 0) {
                                return Uni.createFrom().nullItem();
                            }
                            Row workflow = rows.iterator().next();
                            String status = workflow.getString("status");
                            if (TERMINAL.contains(status)) {
                                return Uni.createFrom()
                                        .failure(new ApiException(409, "Workflow already finished (" + status + ")"));
                            }
                            String type = workflow.getString("enrichment_type");
                            Map<String, String> custom = json.stringMap(workflow.getString("custom"));
                            return conn.preparedQuery(
                                            "UPDATE workflows SET cancelled_at = coalesce(cancelled_at, now())"
                                                    + " WHERE id = $1 AND org_id = $2")
                                    .execute(Tuple.of(workflowId, orgId))
                                    .chain(() -> failUnsettled(
                                            conn, orgId, workflowId, type, custom, "cancelled", published, terminal))
                                    .chain(count -> conn.preparedQuery(
                                                    "SELECT status FROM workflows WHERE id = $1 AND org_id = $2")
                                            .execute(Tuple.of(workflowId, orgId))
                                            .map(after -> new Cancelled(
                                                    workflowId,
                                                    after.iterator().next().getString("status"),
                                                    count)));
                        }))
                .call(cancelled ->
                        cancelled == null ? Uni.createFrom().voidItem() : publish(orgId, workflowId, published))
                .invoke(cancelled -> {
                    if (cancelled != null) {
                        cancellations.add(workflowId);
                        aggregator.announce(terminal);
                        Log.infof(
                                "Workflow %s cancelled: %d unsettled tasks settled, now %s",
                                workflowId, cancelled.cancelledTasks(), cancelled.status());
                    }
                });
    }

    /**
     * Settles every unsettled task of the workflow `failed` with {@code reason}, in the caller's transaction (which
     * holds the workflow's row lock), through the aggregator's settle statement: holds released, counters moved, the
     * workflow terminal and its webhook recorded as for any settlement. Adds the result records to {@code published}
     * and the workflows that went terminal to {@code terminal}; answers how many tasks it settled.
     */
    Uni<Integer> failUnsettled(
            SqlConnection conn,
            UUID orgId,
            String workflowId,
            String type,
            Map<String, String> custom,
            String reason,
            List<String> published,
            List<CompletedWorkflow> terminal) {
        return conn.preparedQuery("SELECT id FROM tasks WHERE workflow_id = $1 AND org_id = $2"
                        + " AND status IN ('pending', 'running') ORDER BY idx")
                .execute(Tuple.of(workflowId, orgId))
                .chain(tasks -> {
                    List<String> records = new ArrayList<>(tasks.rowCount());
                    for (Row task : tasks) {
                        records.add(json.write(new ResultEvent(
                                ResultItem.failed(task.getUUID("id"), reason, custom),
                                workflowId,
                                orgId,
                                type,
                                0,
                                List.of())));
                    }
                    published.addAll(records);
                    return aggregator
                            .settleInTransaction(conn, records)
                            .invoke(terminal::addAll)
                            .replaceWith(records.size());
                });
    }

    /**
     * The result records of the tasks the cancel settled, so that `enrichment.results` holds one for every settled
     * task even when no waterfall ever sees the task (a workflow cancelled before its dispatch was confirmed). A
     * waterfall that later consumes a queued record of such a task, or finishes one that was running, publishes the
     * same `cancelled` result under the same `ce_id` (`<task_id>:result`). Waited for, but never failing the cancel,
     * which has committed.
     */
    Uni<Void> publish(UUID orgId, String workflowId, List<String> records) {
        if (records.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Uni<Void>> sends = new ArrayList<>(records.size());
        for (String record : records) {
            String taskId = json.read(record, com.fasterxml.jackson.databind.JsonNode.class)
                    .path("task_id")
                    .asText();
            sends.add(results.sendMessage(Message.of(record)
                    .addMetadata(CloudEvents.metadata(
                            workflowId, CloudEvents.resultEventId(taskId), CloudEvents.TYPE_RESULT, orgId))));
        }
        return Uni.join()
                .all(sends)
                .andCollectFailures()
                .replaceWithVoid()
                .onFailure()
                .recoverWithItem(failure -> {
                    Log.warnf(
                            "Cancelled results of workflow %s not all published: %s", workflowId, failure.getMessage());
                    return null;
                });
    }
}
