package dev.cascade.aggregation;

import java.util.concurrent.atomic.AtomicLong;
import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;

import dev.cascade.config.RoleGuards;

/**
 * Open credit holds as gauges, read every 30 s (aggregator role): how many unfinished workflows still hold credits,
 * how many credits they hold, and the age of the oldest hold. A hold is released as the workflow's tasks settle, so
 * one older than the stall timeout means work that stopped moving (the alert "CascadeLedgerHoldOld"). Database-wide values: every pod reports
 * the same number, so dashboards and alerts take {@code max}, never {@code sum}, across pods. The query reads only the
 * unfinished workflows (partial index {@code workflows_org_unfinished}).
 */
@ApplicationScoped
class LedgerHolds {
    private final Pool pool;
    private final AtomicLong open = new AtomicLong();
    private final AtomicLong oldestSeconds = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicReference<Double> credits =
            new java.util.concurrent.atomic.AtomicReference<>(0.0);

    LedgerHolds(Pool pool, MeterRegistry meters) {
        this.pool = pool;
        Gauge.builder("cascade.ledger.holds.open", open, AtomicLong::get)
                .description("Unfinished workflows holding credits (database-wide: take max across pods)")
                .register(meters);
        Gauge.builder("cascade.ledger.holds.oldest", oldestSeconds, AtomicLong::get)
                .description("Age of the oldest open credit hold (database-wide: take max across pods)")
                .baseUnit("seconds")
                .register(meters);
        Gauge.builder("cascade.ledger.holds.credits", credits, java.util.concurrent.atomic.AtomicReference::get)
                .description("Credits held by unfinished workflows (database-wide: take max across pods)")
                .register(meters);
    }

    @Scheduled(
            every = "${cascade.ledger-holds.refresh-interval:30s}",
            delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = RoleGuards.NotAggregator.class)
    Uni<Void> refresh() {
        return pool.query("SELECT count(*) AS open,"
                        + " coalesce(extract(epoch FROM now() - min(created_at)), 0)::bigint AS oldest,"
                        + " coalesce(sum(credits_held), 0)::float8 AS credits"
                        + " FROM workflows WHERE status IN ('pending', 'running') AND credits_held > 0")
                .execute()
                .invoke(rows -> {
                    for (Row row : rows) {
                        open.set(row.getLong("open"));
                        oldestSeconds.set(row.getLong("oldest"));
                        credits.set(row.getDouble("credits"));
                    }
                })
                .replaceWithVoid()
                .onFailure()
                .recoverWithItem(failure -> {
                    Log.debugf("Ledger holds not read: %s", failure.getMessage());
                    return null;
                });
    }
}
