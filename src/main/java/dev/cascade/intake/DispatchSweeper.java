package dev.cascade.intake;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.cascade.config.CascadeConfig;
import dev.cascade.config.RoleGuards;
import dev.cascade.events.Contact;
import dev.cascade.events.TaskRecord;
import dev.cascade.support.Json;

/**
 * Re-publishes the unsettled tasks of two kinds of workflows: those whose dispatch was never confirmed (the gateway
 * died between the commit and the broker's acks, or the broker was away), and dispatched ones that have made no
 * progress for {@code cascade.intake.stall-timeout} (a task record was lost downstream). Each workflow is claimed
 * for longer than its re-publish can take before it is published, so replicas never sweep the same one at once; a
 * task published twice is harmless because the aggregator settles a task only once.
 */
@ApplicationScoped
class DispatchSweeper {
    private static final int BATCH = 10;

    static final String CLAIM_SQL = """
            UPDATE workflows SET dispatch_claimed_until = now() + make_interval(secs => $3)
             WHERE id IN (SELECT id FROM workflows
                           WHERE status IN ('pending', 'running')
                             AND ((dispatched_at IS NULL AND created_at < now() - make_interval(secs => $1))
                                  OR (dispatched_at IS NOT NULL
                                      AND last_progress_at < now() - make_interval(secs => $2)))
                             AND (dispatch_claimed_until IS NULL OR dispatch_claimed_until < now())
                           ORDER BY created_at
                           LIMIT $4
                             FOR UPDATE SKIP LOCKED)
            RETURNING id, org_id, lead_list_id, enrichment_type, status, total_prospects,
                      dispatched_at IS NULL AS undispatched, options::text AS options, custom::text AS custom
            """;

    private final AtomicBoolean stopping = new AtomicBoolean();
    private final Pool pool;
    private final IntakeService intake;
    private final Json json;
    private final CascadeConfig config;

    DispatchSweeper(Pool pool, IntakeService intake, Json json, CascadeConfig config) {
        this.pool = pool;
        this.intake = intake;
        this.json = json;
        this.config = config;
    }

    void onShutdown(@Observes ShutdownEvent event) {
        stopping.set(true);
    }

    @Scheduled(
            every = "${cascade.intake.sweep-interval}",
            delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = RoleGuards.NotApi.class)
    Uni<Void> sweep() {
        if (stopping.get()) {
            return Uni.createFrom().voidItem();
        }
        CascadeConfig.Intake intakeConfig = config.intake();
        double grace = intakeConfig.sweepGrace().toMillis() / 1000.0;
        double stall = intakeConfig.stallTimeout().toMillis() / 1000.0;
        // Long enough for every claimed workflow to be re-published (they go out concurrently).
        double claim = intakeConfig.dispatchTimeout().toMillis() / 1000.0 * 2 + 30;
        return pool.withTransaction(conn -> conn.preparedQuery(CLAIM_SQL).execute(Tuple.of(grace, stall, claim, BATCH)))
                .chain(rows -> {
                    List<Row> claimed = new ArrayList<>();
                    rows.forEach(claimed::add);
                    if (claimed.isEmpty()) {
                        return Uni.createFrom().voidItem();
                    }
                    return Multi.createFrom()
                            .iterable(claimed)
                            .onItem()
                            .transformToUniAndMerge(this::redispatch)
                            .collect()
                            .last()
                            .replaceWithVoid();
                })
                .onFailure()
                .recoverWithItem(failure -> {
                    Log.warnf("Dispatch sweep failed: %s", failure.getMessage());
                    return null;
                });
    }

    private Uni<Void> redispatch(Row workflow) {
        String workflowId = workflow.getString("id");
        return Uni.createFrom()
                .deferred(() -> {
                    UUID orgId = workflow.getUUID("org_id");
                    UUID listId = workflow.getUUID("lead_list_id");
                    String type = workflow.getString("enrichment_type");
                    boolean undispatched = workflow.getBoolean("undispatched");
                    WorkflowOptions options = json.read(workflow.getString("options"), WorkflowOptions.class);
                    Map<String, String> custom = json.stringMap(workflow.getString("custom"));
                    Log.warnf(
                            undispatched
                                    ? "Re-publishing the tasks of workflow %s, whose dispatch was never confirmed"
                                    : "Re-publishing the unsettled tasks of workflow %s, which made no progress for"
                                            + " the stall timeout",
                            workflowId);
                    // Keyed by a workflow this sweeper claimed itself (no request id): not filtered by organisation.
                    // Undispatched: every unsettled task. Stalled: only tasks lost in flight (running for longer
                    // than the stall timeout); pending ones are still queued in Kafka.
                    String tasks = undispatched
                            ? "SELECT id, idx, contact::text AS contact FROM tasks WHERE workflow_id = $1"
                                    + " AND status IN ('pending', 'running') ORDER BY idx"
                            : "SELECT id, idx, contact::text AS contact FROM tasks WHERE workflow_id = $1"
                                    + " AND status = 'running' AND started_at < now() - make_interval(secs => $2)"
                                    + " ORDER BY idx";
                    double stall = config.intake().stallTimeout().toMillis() / 1000.0;
                    return pool.preparedQuery(tasks)
                            .execute(undispatched ? Tuple.of(workflowId) : Tuple.of(workflowId, stall))
                            .chain(rows -> {
                                List<TaskRecord> records = new ArrayList<>();
                                for (Row row : rows) {
                                    records.add(IntakeService.record(
                                            row.getUUID("id"),
                                            workflowId,
                                            orgId,
                                            listId,
                                            row.getInteger("idx"),
                                            type,
                                            json.read(row.getString("contact"), Contact.class),
                                            options,
                                            custom));
                                }
                                // The `started` record has a sweep of its own (StartedLifecycle).
                                return intake.dispatch(workflowId, records, null, options.traceparent());
                            });
                })
                .onFailure()
                .recoverWithItem(failure -> {
                    // One broken workflow must not hold up the others; it is claimed again after its claim expires.
                    Log.errorf(failure, "Could not re-publish workflow %s", workflowId);
                    return null;
                });
    }
}
