package dev.cascade.aggregation;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;

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

/**
 * Publishes the `completed` lifecycle record (`enrichment.workflows`) of every workflow that became terminal: at once
 * when the settling transaction has committed, and, for any whose record a crash or a broker outage kept from being
 * acknowledged, from a sweep of the workflows not yet marked {@code completed_published_at}. At least once; the
 * record's `ce_id` (`<workflow id>:completed`) is the same every time, so consumers de-duplicate on it.
 */
@ApplicationScoped
class CompletedLifecycle {
    private final WorkflowReader reader;
    private final WorkflowLifecycle lifecycle;
    private final Pool pool;

    CompletedLifecycle(WorkflowReader reader, WorkflowLifecycle lifecycle, Pool pool) {
        this.reader = reader;
        this.lifecycle = lifecycle;
        this.pool = pool;
    }

    void onCompleted(@ObservesAsync CompletionListeners.WorkflowsCompleted completed) {
        List<Terminal> workflows = new ArrayList<>();
        completed.workflows().forEach(done -> workflows.add(new Terminal(done.workflowId(), done.orgId())));
        publish(workflows)
                .subscribe()
                .with(
                        ignored -> {},
                        failure -> Log.warnf(
                                "Completed lifecycle records not published (the sweep will retry): %s",
                                failure.getMessage()));
    }

    /** Workflows finished a while ago whose record was never acknowledged. */
    @Scheduled(
            every = "5s",
            delayed = "10s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = RoleGuards.NotAggregator.class)
    Uni<Void> sweep() {
        return pool.query("SELECT id, org_id FROM workflows WHERE completed_at IS NOT NULL"
                        + " AND completed_published_at IS NULL AND completed_at < now() - interval '10 seconds'"
                        + " ORDER BY completed_at LIMIT 200")
                .execute()
                .chain(rows -> {
                    List<Terminal> workflows = new ArrayList<>();
                    for (Row row : rows) {
                        workflows.add(new Terminal(row.getString("id"), row.getUUID("org_id")));
                    }
                    if (!workflows.isEmpty()) {
                        Log.infof("Publishing %d completed lifecycle records left unacknowledged", workflows.size());
                    }
                    return publish(workflows);
                })
                .onFailure()
                .recoverWithItem(failure -> {
                    Log.warnf("Completed lifecycle sweep failed: %s", failure.getMessage());
                    return null;
                });
    }

    private Uni<Void> publish(List<Terminal> workflows) {
        if (workflows.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Multi.createFrom()
                .iterable(workflows)
                .onItem()
                .transformToUniAndMerge(done -> reader.workflow(done.orgId(), done.workflowId())
                        .chain(view -> view == null
                                ? Uni.createFrom().<String>nullItem()
                                : lifecycle.send(event(view)).replaceWith(view.workflowId()))
                        .onFailure()
                        .recoverWithItem(failure -> {
                            Log.warnf(
                                    "Completed lifecycle record of workflow %s not published: %s",
                                    done.workflowId(), failure.getMessage());
                            return null;
                        }))
                .collect()
                .asList()
                .chain(acknowledged -> acknowledged.isEmpty()
                        ? Uni.createFrom().voidItem()
                        : pool.preparedQuery("UPDATE workflows SET completed_published_at = now() WHERE id = ANY($1)")
                                .execute(Tuple.of(acknowledged.toArray(String[]::new)))
                                .replaceWithVoid());
    }

    private static WorkflowEvent event(WorkflowView view) {
        return new WorkflowEvent(
                "completed",
                view.workflowId(),
                view.orgId(),
                view.enrichmentType(),
                view.status(),
                view.totalProspects(),
                new WorkflowEvent.Summary(
                        view.totalProspects(),
                        view.completedProspects(),
                        view.failedProspects(),
                        view.emailsFound(),
                        view.phonesFound()),
                view.completedAt(),
                view.custom());
    }

    private record Terminal(String workflowId, UUID orgId) {}
}
