package dev.cascade.aggregation;

import java.time.OffsetDateTime;
import java.util.concurrent.ConcurrentHashMap;
import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.cascade.config.RoleGuards;

/**
 * Which workflows were cancelled within the last day (§4.6): a shortcut that answers queued task records of a
 * cancelled workflow without a round trip. It decides nothing on its own — a task that calls a provider is first
 * claimed in PostgreSQL ({@link TaskClaims}) — so it may lag. A cancel on this instance is known at once; one on
 * another process within a refresh (every second), which reads only what was cancelled since the last one.
 */
@ApplicationScoped
public class Cancellations {
    /**
     * Cancels newer than the watermark, less an overlap: {@code cancelled_at} is its transaction's start, so a cancel
     * may commit after a later-stamped one was read; one that takes longer than the overlap is still caught by its
     * task claims. The first refresh (watermark null) reads the last day.
     */
    static final String SINCE_SQL = """
            SELECT id, cancelled_at FROM workflows
             WHERE cancelled_at > coalesce($1::timestamptz - interval '1 minute', now() - interval '1 day')
            """;

    private static final long DAY_MS = 86_400_000L;

    private final Pool pool;
    /** Workflow id to when it was cancelled (epoch ms), for the last day. */
    private final ConcurrentHashMap<String, Long> cancelled = new ConcurrentHashMap<>();
    /** The latest {@code cancelled_at} read so far; null before the first refresh. */
    private volatile OffsetDateTime watermark;

    public Cancellations(Pool pool) {
        this.pool = pool;
    }

    public boolean isCancelled(String workflowId) {
        return cancelled.containsKey(workflowId);
    }

    void add(String workflowId) {
        cancelled.putIfAbsent(workflowId, System.currentTimeMillis());
    }

    /** The cancels since the last refresh (a day's worth once, at start), with the index on {@code cancelled_at}. */
    @Scheduled(
            every = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = RoleGuards.NotWaterfall.class)
    Uni<Void> refresh() {
        return pool.preparedQuery(SINCE_SQL)
                .execute(Tuple.of(watermark))
                .invoke(rows -> {
                    OffsetDateTime latest = watermark;
                    for (Row row : rows) {
                        OffsetDateTime at = row.getOffsetDateTime("cancelled_at");
                        cancelled.putIfAbsent(
                                row.getString("id"), at.toInstant().toEpochMilli());
                        if (latest == null || at.isAfter(latest)) {
                            latest = at;
                        }
                    }
                    // Nothing cancelled yet: the next refresh starts from the same day-old floor.
                    watermark = latest;
                    long old = System.currentTimeMillis() - DAY_MS;
                    cancelled.values().removeIf(when -> when < old);
                })
                .replaceWithVoid()
                .onFailure()
                .invoke(failure -> Log.debugf("Refreshing cancelled workflows failed: %s", failure.getMessage()))
                .onFailure()
                .recoverWithNull();
    }
}
