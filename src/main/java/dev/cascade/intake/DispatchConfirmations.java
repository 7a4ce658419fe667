package dev.cascade.intake;

import java.util.ArrayList;
import java.util.List;
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
 * was acknowledged too) in batches: whatever confirmations arrive while one statement runs go together in the next.
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
               SET dispatched_at = coalesce(w.dispatched_at, now()), last_progress_at = now(),
                   dispatch_attempts = 0, dispatch_failing_since = NULL,
                   started_published_at = CASE WHEN d.started THEN coalesce(w.started_published_at, now())
                                               ELSE w.started_published_at END
              FROM unnest($1::text[], $2::boolean[]) AS d(id, started)
             WHERE w.id = d.id AND w.id IN (SELECT id FROM locked)
            """;

    private static final int MAX_BATCH = 1000;

    private record Pending(String workflowId, boolean started, UniEmitter<? super Void> done) {}

    private final Pool pool;
    private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean flushing = new AtomicBoolean();

    DispatchConfirmations(Pool pool) {
        this.pool = pool;
    }

    /** Completes once the confirmation is written; fails when its statement failed. */
    Uni<Void> confirm(String workflowId, boolean started) {
        return Uni.createFrom().emitter(emitter -> {
            queue.add(new Pending(workflowId, started, emitter));
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
        String[] ids = new String[batch.size()];
        Boolean[] started = new Boolean[batch.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = batch.get(i).workflowId();
            started[i] = batch.get(i).started();
        }
        pool.preparedQuery(CONFIRM_SQL)
                .execute(Tuple.of(ids).addArrayOfBoolean(started))
                .subscribe()
                .with(rows -> finish(batch, null), failure -> {
                    Log.warnf(
                            "Could not confirm the dispatch of %d workflows (%s); the sweeper covers them",
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
