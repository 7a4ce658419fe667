package dev.cascade.intake;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Confirms dispatched workflows ({@code dispatched_at}, and {@code started_published_at} when the `started` record
 * was acknowledged too; a `started` record acknowledged after its dispatch was answered, or sent through the channel,
 * is confirmed alone) in batches: whatever confirmations arrive while one statement runs go together in the next.
 * Under load this is one write for many submits instead of one each. The rows are locked in id order, as the
 * aggregator locks them, so the two never deadlock.
 *
 * <p>A confirmation is bookkeeping for the dispatch sweeper, not a guarantee: should one be lost (a crash before its
 * statement ran), the sweeper re-publishes that workflow's records after its grace time, and the pipeline settles each
 * task once whatever the duplicates. A confirmation also sets the sweeper's attempt count back to zero
 * ({@code cascade.dispatch.max-attempts} counts attempts since the broker last took the workflow's records).
 */
@ApplicationScoped
class DispatchConfirmations {
    static final String CONFIRM_SQL = """
            WITH locked AS (
                SELECT id FROM workflows WHERE id = ANY($1::text[]) ORDER BY id FOR NO KEY UPDATE
            )
            UPDATE workflows w
               SET dispatched_at = CASE WHEN d.dispatched THEN coalesce(w.dispatched_at, now())
                                        ELSE w.dispatched_at END,
                   last_progress_at = CASE WHEN d.dispatched THEN now() ELSE w.last_progress_at END,
                   dispatch_attempts = CASE WHEN d.dispatched THEN 0 ELSE w.dispatch_attempts END,
                   dispatch_failing_since = CASE WHEN d.dispatched THEN NULL ELSE w.dispatch_failing_since END,
                   started_published_at = CASE WHEN d.started THEN coalesce(w.started_published_at, now())
                                               ELSE w.started_published_at END
              FROM unnest($1::text[], $2::boolean[], $3::boolean[]) AS d(id, dispatched, started)
             WHERE w.id = d.id AND w.id IN (SELECT id FROM locked)
            """;

    private static final int MAX_BATCH = 1000;

    private record Pending(String workflowId, boolean dispatched, boolean started, UniEmitter<? super Void> done) {}

    private final Pool pool;
    private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean flushing = new AtomicBoolean();

    DispatchConfirmations(Pool pool) {
        this.pool = pool;
    }

    /** Completes once the confirmation is written; fails when its statement failed. */
    Uni<Void> confirm(String workflowId, boolean started) {
        return enqueue(workflowId, true, started);
    }

    /** Marks only the `started` record, acknowledged after the workflow's dispatch was confirmed (or refused). */
    Uni<Void> confirmStarted(String workflowId) {
        return enqueue(workflowId, false, true);
    }

    private Uni<Void> enqueue(String workflowId, boolean dispatched, boolean started) {
        return Uni.createFrom().emitter(emitter -> {
            queue.add(new Pending(workflowId, dispatched, started, emitter));
            flush();
        });
    }

    private void flush() {
        if (queue.isEmpty() || !flushing.compareAndSet(false, true)) {
            return;
        }
        List<Pending> batch = new ArrayList<>();
        for (Pending next = queue.poll(); next != null; next = batch.size() < MAX_BATCH ? queue.poll() : null) {
            batch.add(next);
        }
        // One row per workflow: an UPDATE joined to two rows of the same id would apply only one of them.
        Map<String, boolean[]> flags = new LinkedHashMap<>();
        for (Pending pending : batch) {
            boolean[] both = flags.computeIfAbsent(pending.workflowId(), id -> new boolean[2]);
            both[0] |= pending.dispatched();
            both[1] |= pending.started();
        }
        String[] ids = new String[flags.size()];
        Boolean[] dispatched = new Boolean[flags.size()];
        Boolean[] started = new Boolean[flags.size()];
        int i = 0;
        for (Map.Entry<String, boolean[]> entry : flags.entrySet()) {
            ids[i] = entry.getKey();
            dispatched[i] = entry.getValue()[0];
            started[i] = entry.getValue()[1];
            i++;
        }
        pool.preparedQuery(CONFIRM_SQL)
                .execute(Tuple.of(ids).addArrayOfBoolean(dispatched).addArrayOfBoolean(started))
                .subscribe()
                .with(rows -> finish(batch, null), failure -> {
                    Log.warnf(
                            "Could not write %d dispatch or started confirmations (%s); the sweepers cover them",
                            batch.size(), failure.getMessage());
                    finish(batch, failure);
                });
    }

    private void finish(List<Pending> batch, Throwable failure) {
        flushing.set(false);
        for (Pending pending : batch) {
            if (failure == null) {
                pending.done().complete(null);
            } else {
                pending.done().fail(failure);
            }
        }
        // What arrived while the statement ran goes next.
        flush();
    }
}
