package dev.cascade.intake;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.cascade.aggregation.WorkflowAbandon;
import dev.cascade.config.CascadeConfig;
import dev.cascade.config.DispatchSettings;
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
 *
 * <p>Never without end: each claim counts an attempt in PostgreSQL ({@code dispatch_attempts}, back to zero when the
 * broker acknowledged the records), and a workflow still unpublished after {@code cascade.dispatch.max-attempts}
 * attempts or {@code cascade.dispatch.give-up-after} is given up ({@link WorkflowAbandon}): `failed` tasks, its hold
 * released, its webhook sent once, a WARN line and {@code cascade_dispatch_abandoned_total}.
 */
@ApplicationScoped
class DispatchSweeper {
    private static final int BATCH = 10;

    static final String CLAIM_SQL = """
            UPDATE workflows SET dispatch_claimed_until = now() + make_interval(secs => $3),
                   dispatch_attempts = dispatch_attempts + 1,
                   dispatch_failing_since = coalesce(dispatch_failing_since,
                                                     CASE WHEN dispatched_at IS NULL THEN created_at ELSE now() END)
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
                      dispatched_at IS NULL AS undispatched, options::text AS options, custom::text AS custom,
                      dispatch_attempts, extract(epoch FROM now() - dispatch_failing_since)::float8 AS failing_seconds
            """;

    /** After a failed attempt: try again after the retry interval, unless a dispatch was confirmed meanwhile. */
    static final String RETRY_SQL = """
            UPDATE workflows SET dispatch_claimed_until = now() + make_interval(secs => $3)
             WHERE id = $1 AND dispatch_attempts = $2
            """;

    private final AtomicBoolean stopping = new AtomicBoolean();
    private final Pool pool;
    private final IntakeService intake;
    private final Json json;
    private final CascadeConfig config;
    private final WorkflowAbandon abandon;
    private final MeterRegistry meters;

    DispatchSweeper(
            Pool pool,
            IntakeService intake,
            Json json,
            CascadeConfig config,
            WorkflowAbandon abandon,
            MeterRegistry meters) {
        this.pool = pool;
        this.intake = intake;
        this.json = json;
        this.config = config;
        this.abandon = abandon;
        this.meters = meters;
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

    /**
     * One attempt at a claimed workflow. Past {@code cascade.dispatch.max-attempts} attempts (the last one never came
     * back: a crash, say) it is given up without another; an attempt the broker did not acknowledge gives it up when it
     * was the last allowed or the records have been unpublished for {@code cascade.dispatch.give-up-after}, and
     * otherwise leaves it for another attempt after {@code cascade.dispatch.retry-interval}.
     */
    private Uni<Void> redispatch(Row workflow) {
        String workflowId = workflow.getString("id");
        int attempts = workflow.getInteger("dispatch_attempts");
        Double failingSeconds = workflow.getDouble("failing_seconds");
        Duration failingFor = Duration.ofMillis(Math.round((failingSeconds == null ? 0 : failingSeconds) * 1000));
        DispatchSettings limits = config.dispatch();
        Uni<Boolean> attempt =
                attempts > limits.maxAttempts() ? Uni.createFrom().item(false) : publish(workflow);
        return attempt.chain(published -> {
                    if (published) {
                        return Uni.createFrom().voidItem();
                    }
                    if (attempts >= limits.maxAttempts()) {
                        return giveUp(workflowId, attempts, failingFor, "max_attempts");
                    }
                    if (failingFor.compareTo(limits.giveUpAfter()) >= 0) {
                        return giveUp(workflowId, attempts, failingFor, "give_up_after");
                    }
                    double retry = limits.retryInterval().toMillis() / 1000.0;
                    return pool.preparedQuery(RETRY_SQL)
                            .execute(Tuple.of(workflowId, attempts, retry))
                            .replaceWithVoid();
                })
                .onFailure()
                .recoverWithItem(failure -> {
                    // One broken workflow must not hold up the others; it is claimed again after its claim expires.
                    Log.errorf(failure, "Could not re-publish workflow %s", workflowId);
                    return null;
                });
    }

    /** Settles the workflow's unsettled tasks `failed`, releasing its hold; counted and logged once per workflow. */
    private Uni<Void> giveUp(String workflowId, int attempts, Duration failingFor, String reason) {
        return abandon.abandon(workflowId, attempts)
                .invoke(abandoned -> {
                    if (abandoned == null) {
                        // Finished, or its dispatch was confirmed meanwhile: nothing to give up.
                        return;
                    }
                    meters.counter("cascade.dispatch.abandoned", "reason", reason)
                            .increment();
                    Log.warnf(
                            "Gave up dispatching workflow %s (%s): its task records were not acknowledged after %d sweeper"
                                    + " attempts over %ds; %d unsettled tasks settled failed (error %s), its hold released,"
                                    + " now %s",
                            workflowId,
                            reason,
                            attempts,
                            failingFor.toSeconds(),
                            abandoned.failedTasks(),
                            WorkflowAbandon.REASON,
                            abandoned.status());
                })
                .replaceWithVoid();
    }

    /** Re-publishes the workflow's unsettled tasks; true when the broker acknowledged them all. */
    private Uni<Boolean> publish(Row workflow) {
        String workflowId = workflow.getString("id");
        return Uni.createFrom().deferred(() -> {
            UUID orgId = workflow.getUUID("org_id");
            UUID listId = workflow.getUUID("lead_list_id");
            String type = workflow.getString("enrichment_type");
            boolean undispatched = workflow.getBoolean("undispatched");
            WorkflowOptions options = json.read(workflow.getString("options"), WorkflowOptions.class);
            Map<String, String> custom = json.stringMap(workflow.getString("custom"));
            Log.warnf(
                    undispatched
                            ? "Re-publishing the tasks of workflow %s, whose dispatch was never confirmed (attempt %d)"
                            : "Re-publishing the unsettled tasks of workflow %s, which made no progress for"
                                    + " the stall timeout (attempt %d)",
                    workflowId,
                    workflow.getInteger("dispatch_attempts"));
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
        });
    }
}
