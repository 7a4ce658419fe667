package dev.cascade.aggregation;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.cascade.config.CascadeConfig;
import dev.cascade.config.Role;

/**
 * Marks tasks (and their workflows) `running` when the waterfall starts them. The marks are collected and written
 * every 100 ms in one statement, so a busy instance pays one small write per tick, not one per task, and the
 * waterfall never waits for them. A task that finishes before the next tick is never marked: its settle follows at
 * once, and a mark would only rewrite its row for nothing (on a fast pipeline, that is most tasks). A mark never
 * moves a task or workflow back: it applies only to `pending` rows.
 */
@ApplicationScoped
public class WorkflowProgress {
    static final String MARK_SQL = """
            WITH locked AS (
                -- Workflows before tasks, in id order, as the aggregator locks them: never a deadlock with it.
                SELECT id FROM workflows
                 WHERE id IN (SELECT workflow_id FROM tasks WHERE id = ANY($1)) AND status IN ('pending', 'running')
                 ORDER BY id FOR NO KEY UPDATE
            ), started AS (
                UPDATE tasks SET status = 'running', started_at = now()
                 WHERE id = ANY($1) AND status = 'pending' AND workflow_id IN (SELECT id FROM locked)
                RETURNING workflow_id
            )
            UPDATE workflows SET status = 'running'
             WHERE id IN (SELECT DISTINCT workflow_id FROM started) AND status = 'pending'
            """;
    private static final long FLUSH_MS = 100;
    private static final int MAX_PER_FLUSH = 5000;

    private final Pool pool;
    private final Vertx vertx;
    private final Set<UUID> started = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean flushing = new AtomicBoolean();
    private final boolean waterfall;
    private volatile long timer = -1;

    public WorkflowProgress(Pool pool, Vertx vertx, CascadeConfig config) {
        this.pool = pool;
        this.vertx = vertx;
        this.waterfall = config.roles().has(Role.WATERFALL);
    }

    void onStart(@Observes StartupEvent event) {
        // Only the waterfall notes started tasks; no timer where it does not run.
        if (waterfall) {
            timer = vertx.setPeriodic(FLUSH_MS, id -> flush());
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    /** Notes that the waterfall started a task; written with the next flush unless it finished by then. */
    public void started(UUID taskId) {
        started.add(taskId);
    }

    /** Notes that the waterfall finished a task; one not yet marked is not marked any more. */
    public void finished(UUID taskId) {
        started.remove(taskId);
    }

    private void flush() {
        if (started.isEmpty() || !flushing.compareAndSet(false, true)) {
            return;
        }
        List<UUID> batch = new ArrayList<>();
        for (Iterator<UUID> it = started.iterator(); it.hasNext() && batch.size() < MAX_PER_FLUSH; ) {
            batch.add(it.next());
            it.remove();
        }
        pool.preparedQuery(MARK_SQL)
                .execute(Tuple.of(batch.toArray(UUID[]::new)))
                .subscribe()
                .with(ignored -> flushing.set(false), failure -> {
                    flushing.set(false);
                    // Only the `running` display is lost; settling does not depend on it.
                    Log.warnf("Marking %d tasks running failed: %s", batch.size(), failure.getMessage());
                });
    }
}
