package dev.cascade.aggregation;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;

import dev.cascade.config.RoleGuards;

/**
 * Which workflows were cancelled recently (§4.6), so that a waterfall never calls a provider for a task of one. A
 * cancel on this instance is known at once; one on another replica within a refresh (every second, from
 * PostgreSQL). A task that slips through that second settles nothing: its workflow's unstarted tasks were settled by
 * the cancel, and the aggregator ignores a second result for a task.
 */
@ApplicationScoped
public class Cancellations {
    private final Pool pool;
    /** What the last refresh found. */
    private volatile Set<String> cancelled = Set.of();
    /** Cancels made here, kept until a refresh surely includes them (id to when, in ms). */
    private final ConcurrentHashMap<String, Long> local = new ConcurrentHashMap<>();

    public Cancellations(Pool pool) {
        this.pool = pool;
    }

    public boolean isCancelled(String workflowId) {
        return cancelled.contains(workflowId) || local.containsKey(workflowId);
    }

    void add(String workflowId) {
        local.put(workflowId, System.currentTimeMillis());
    }

    /** Workflows cancelled within the last day: any of their task records still queued is far older than that. */
    @Scheduled(
            every = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = RoleGuards.NotWaterfall.class)
    Uni<Void> refresh() {
        return pool.query("SELECT id FROM workflows WHERE cancelled_at > now() - interval '1 day'")
                .execute()
                .invoke(rows -> {
                    Set<String> fresh = new java.util.HashSet<>();
                    for (Row row : rows) {
                        fresh.add(row.getString("id"));
                    }
                    cancelled = Set.copyOf(fresh);
                    long old = System.currentTimeMillis() - 60_000;
                    local.values().removeIf(when -> when < old);
                })
                .replaceWithVoid()
                .onFailure()
                .invoke(failure -> Log.debugf("Refreshing cancelled workflows failed: %s", failure.getMessage()))
                .onFailure()
                .recoverWithNull();
    }
}
