package dev.cascade.aggregation;

import java.util.ArrayList;
import java.util.List;
import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.cascade.config.CascadeConfig;
import dev.cascade.config.RetentionSettings;
import dev.cascade.config.RoleGuards;

/**
 * Retention (`cascade.retention`): deletes workflows finished longer ago than the retention, with their tasks (their
 * leads, whose lists' counts the database adjusts), webhook events and delivery attempts. The credit ledger is never
 * touched: it has no foreign key to workflows, so every hold, charge and release row stays, naming its workflow and
 * task by id. A workflow is kept while it is unfinished, holds credits, has a webhook still being delivered, or its
 * `completed` lifecycle record is not yet acknowledged.
 *
 * <p>Work goes in batches of `batch-size` workflows, one short transaction each, so no lock is held for long. A
 * transaction-level advisory lock keeps the job to one process at a time (the others skip the run), and the batch's
 * workflows are taken with SKIP LOCKED, so a row some other statement holds is simply left for the next run.
 */
@ApplicationScoped
public class Retention {
    /** The advisory lock of the job (any constant; "cascade retention"). */
    static final long LOCK = 0x4361_7363_5265_74L;

    static final String DOOMED_SQL = """
            SELECT w.id FROM workflows w
             WHERE w.completed_at IS NOT NULL AND w.completed_at < now() - make_interval(secs => $1)
               AND w.status IN ('completed', 'completed_with_errors', 'failed')
               AND w.credits_held = 0
               AND w.completed_published_at IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM webhook_events e
                                WHERE e.workflow_id = w.id AND e.status IN ('pending', 'in_flight'))
             ORDER BY w.completed_at
             LIMIT $2
             FOR UPDATE OF w SKIP LOCKED
            """;

    /** Children before parents; each statement reads its rows through an index on the workflow id. */
    static final List<String> DELETES = List.of(
            "DELETE FROM webhook_attempts WHERE workflow_id = ANY($1)",
            "DELETE FROM webhook_events WHERE workflow_id = ANY($1)",
            "DELETE FROM tasks WHERE workflow_id = ANY($1)",
            "DELETE FROM workflows WHERE id = ANY($1)");

    private final Pool pool;
    private final RetentionSettings settings;

    public Retention(Pool pool, CascadeConfig config) {
        this.pool = pool;
        this.settings = config.retention();
    }

    @Scheduled(
            every = "${cascade.retention.interval:10m}",
            delayed = "2m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = RoleGuards.NotAggregator.class)
    Uni<Void> scheduled() {
        if (!settings.enabled()) {
            return Uni.createFrom().voidItem();
        }
        return purge().invoke(deleted -> {
                    if (deleted > 0) {
                        Log.infof("Retention deleted %d workflows finished over %s ago", deleted, settings.workflows());
                    }
                })
                .replaceWithVoid()
                .onFailure()
                .recoverWithItem(failure -> {
                    Log.warnf("Retention run failed (the next run carries on): %s", failure.getMessage());
                    return null;
                });
    }

    /** One run: batches until one comes back short or `max-batches` ran; answers the workflows deleted. */
    public Uni<Long> purge() {
        return batches(0, 0L);
    }

    private Uni<Long> batches(int done, long deleted) {
        if (done >= settings.maxBatches()) {
            return Uni.createFrom().item(deleted);
        }
        return pool.withTransaction(this::batch)
                .chain(count -> count < settings.batchSize()
                        ? Uni.createFrom().item(deleted + Math.max(0, count))
                        : batches(done + 1, deleted + count));
    }

    /** One batch in the caller's transaction; -1 when another process holds the job's lock. */
    private Uni<Integer> batch(SqlConnection conn) {
        return conn.preparedQuery("SELECT pg_try_advisory_xact_lock($1) AS mine")
                .execute(Tuple.of(LOCK))
                .chain(lock -> {
                    if (!lock.iterator().next().getBoolean("mine")) {
                        return Uni.createFrom().item(-1);
                    }
                    return conn.preparedQuery(DOOMED_SQL)
                            .execute(Tuple.of((double) settings.workflows().toSeconds(), settings.batchSize()))
                            .chain(rows -> {
                                List<String> ids = new ArrayList<>(rows.size());
                                for (Row row : rows) {
                                    ids.add(row.getString("id"));
                                }
                                return ids.isEmpty()
                                        ? Uni.createFrom().item(0)
                                        : delete(conn, ids.toArray(String[]::new), 0)
                                                .replaceWith(ids.size());
                            });
                });
    }

    private Uni<Void> delete(SqlConnection conn, String[] ids, int step) {
        if (step == DELETES.size()) {
            return Uni.createFrom().voidItem();
        }
        return conn.preparedQuery(DELETES.get(step)).execute(Tuple.of(ids)).chain(() -> delete(conn, ids, step + 1));
    }
}
