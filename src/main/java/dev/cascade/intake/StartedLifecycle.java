package dev.cascade.intake;

import java.util.ArrayList;
import java.util.List;
import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.cascade.config.RoleGuards;
import dev.cascade.events.WorkflowEvent;
import dev.cascade.events.WorkflowLifecycle;
import dev.cascade.support.Json;
import dev.cascade.support.Times;

/**
 * The `started` lifecycle record's sweep. A submit publishes the record after its task records on the task producer
 * ({@link TaskPublisher}), and its dispatch confirmation marks {@code started_published_at} when the broker
 * acknowledged it; a refused record never fails the dispatch (a broker refusing only this topic must not make the
 * sweeper re-publish tasks). This sweep publishes, through the `workflows-out` channel, every record left
 * unacknowledged, for finished workflows too. At least once, with the same `ce_id` (`<workflow id>:started`) every
 * time.
 */
@ApplicationScoped
class StartedLifecycle {

    private final WorkflowLifecycle lifecycle;
    private final Pool pool;
    private final Json json;

    StartedLifecycle(WorkflowLifecycle lifecycle, Pool pool, Json json) {
        this.lifecycle = lifecycle;
        this.pool = pool;
        this.json = json;
    }

    /** Publishes and marks the record; never fails (the sweep retries). */
    private Uni<Void> publish(WorkflowEvent started) {
        return lifecycle
                .send(started)
                .chain(() -> pool.preparedQuery("UPDATE workflows SET started_published_at = now() WHERE id = $1")
                        .execute(Tuple.of(started.workflowId())))
                .replaceWithVoid()
                .onFailure()
                .recoverWithItem(failure -> {
                    Log.warnf(
                            "Started record of workflow %s not published yet (%s); the sweep will retry",
                            started.workflowId(), failure.getMessage());
                    return null;
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
