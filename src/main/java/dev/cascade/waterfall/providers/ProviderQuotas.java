package dev.cascade.waterfall.providers;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The permits of vendor quotas, leased from PostgreSQL so that every gateway process draws on one budget per provider
 * (`provider_quota_pace`, migration V22). One statement per lease, whatever the number of permits it takes.
 */
@ApplicationScoped
public class ProviderQuotas {
    static final String LEASE_SQL = "SELECT granted, first_in, first_at FROM provider_quota_lease($1, $2, $3, $4)";

    private final Pool pool;
    private final Vertx vertx;

    public ProviderQuotas(Pool pool, Vertx vertx) {
        this.pool = pool;
        this.vertx = vertx;
    }

    /**
     * Leases up to {@code wanted} permits of {@code provider}, spaced {@code spacingMs} apart, none due later than
     * {@code horizonMs} from now.
     */
    public Uni<Lease> lease(String provider, int wanted, double spacingMs, double horizonMs) {
        return pool.preparedQuery(LEASE_SQL)
                .execute(Tuple.of(provider, wanted, spacingMs, horizonMs))
                .map(rows -> {
                    Row row = rows.iterator().next();
                    return new Lease(row.getInteger("granted"), row.getDouble("first_in"), row.getDouble("first_at"));
                });
    }

    /** Runs {@code action} after {@code delayMs} (at least 1 ms), on a Vert.x timer. */
    void later(long delayMs, Runnable action) {
        vertx.setTimer(Math.max(1, delayMs), id -> action.run());
    }

    /**
     * What a lease got: {@code granted} permits, the first due in {@code firstInMs} (0 or more, database clock) and
     * each next one a spacing later; when none was granted, {@code firstInMs} is how far away the next free one is.
     * {@code firstAtMs} is that moment on the database's clock (epoch milliseconds).
     */
    public record Lease(int granted, double firstInMs, double firstAtMs) {}
}
