package dev.cascade.intake;

import java.util.ArrayList;
import java.util.List;
import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;

import dev.cascade.config.RoleGuards;
import dev.cascade.events.WorkflowEvent;
import dev.cascade.events.WorkflowLifecycle;
import dev.cascade.support.Json;
import dev.cascade.support.Times;

/**
 * The `started` lifecycle record outside the task producer. A submit publishes the record after its task records on
 * the task producer ({@link TaskPublisher}) when the workflows topic is known to take records, and its dispatch
 * confirmation (or, for an acknowledgement that came after it, a confirmation of its own) marks
 * {@code started_published_at}; the dispatch never waits for the record nor fails with it (a broker refusing only this
 * topic must not make the sweeper re-publish tasks). A dispatched submit whose record the task producer did not take
 * sends it here at once ({@link #publish}), and the sweep publishes every record left unacknowledged for 30 seconds,
 * for finished workflows too; both go through the `workflows-out` channel. At least once, with the same `ce_id`
 * (`<workflow id>:started`) every time.
 */
@ApplicationScoped
class StartedLifecycle {

    private final WorkflowLifecycle lifecycle;
    private final Pool pool;
    private final Json json;
    private final Counter deferred;
    private final DispatchConfirmations confirmations;

    StartedLifecycle(
            WorkflowLifecycle lifecycle,
            Pool pool,
            Json json,
            MeterRegistry meters,
            DispatchConfirmations confirmations) {
        this.lifecycle = lifecycle;
        this.confirmations = confirmations;
        this.pool = pool;
        this.json = json;
        this.deferred = deferredCounter(meters);
    }

    /** {@code cascade_lifecycle_started_deferred_total}: `started` records not sent (refused) and left to the sweep. */
    static Counter deferredCounter(MeterRegistry meters) {
        return meters.counter("cascade.lifecycle.started.deferred");
    }

    /** Counts and logs a `started` record the broker did not take; the sweep publishes it later. */
    static void deferred(Counter counter, String workflowId, Throwable why) {
        counter.increment();
        Log.warnf(
                "Started record of workflow %s not published yet (%s); the sweep will retry",
                workflowId, why.getMessage());
    }

    /**
     * Publishes the record through the channel, then marks it with the next batch of dispatch confirmations; never
     * fails. A record the channel could not send is counted and left to the sweep; a mark that could not be written
     * (logged by the confirmations) only means the sweep sends the record again, with the same `ce_id`.
     */
    Uni<Void> publish(WorkflowEvent started) {
        return lifecycle.send(started).onItemOrFailure().transformToUni((sent, failure) -> {
            if (failure != null) {
                deferred(deferred, started.workflowId(), failure);
                return Uni.createFrom().voidItem();
            }
            return confirmations
                    .confirmStarted(started.workflowId())
                    .onFailure()
                    .recoverWithNull();
        });
    }

    @Scheduled(
            every = "5s",
            delayed = "10s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = RoleGuards.NotApi.class)
    Uni<Void> sweep() {
        return pool.query("SELECT id, org_id, enrichment_type, total_prospects, created_at, custom::text AS custom"
                        + " FROM workflows WHERE started_published_at IS NULL"
                        + " AND created_at < now() - interval '30 seconds' ORDER BY created_at LIMIT 200")
                .execute()
                .chain(rows -> {
                    List<WorkflowEvent> events = new ArrayList<>();
                    for (Row row : rows) {
                        events.add(new WorkflowEvent(
                                "started",
                                row.getString("id"),
                                row.getUUID("org_id"),
                                row.getString("enrichment_type"),
                                "pending",
                                row.getInteger("total_prospects"),
                                null,
                                Times.format(row.getOffsetDateTime("created_at")),
                                json.stringMap(row.getString("custom"))));
                    }
                    if (events.isEmpty()) {
                        return Uni.createFrom().voidItem();
                    }
                    Log.infof("Publishing %d started lifecycle records left unacknowledged", events.size());
                    return Multi.createFrom()
                            .iterable(events)
                            .onItem()
                            .transformToUniAndMerge(this::publish)
                            .collect()
                            .last()
                            .replaceWithVoid();
                })
                .onFailure()
                .recoverWithItem(failure -> {
                    Log.warnf("Started lifecycle sweep failed: %s", failure.getMessage());
                    return null;
                });
    }
}
