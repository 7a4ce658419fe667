package dev.cascade.waterfall;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.cascade.waterfall.providers.QuotaLeases;

/**
 * The permits of vendor quotas, leased from PostgreSQL so that every gateway process draws on one budget per provider
 * (`provider_quota_pace`, migration V22). One statement per lease, whatever the number of permits it takes.
 */
@ApplicationScoped
public class ProviderQuotaLeases implements QuotaLeases {
    static final String LEASE_SQL = "SELECT granted, first_in, first_at FROM provider_quota_lease($1, $2, $3, $4)";

    private final Pool pool;
    private final Vertx vertx;

    public ProviderQuotaLeases(Pool pool, Vertx vertx) {
        this.pool = pool;
        this.vertx = vertx;
    }

    @Override
    public Uni<Lease> lease(String provider, int wanted, double spacingMs, double horizonMs) {
        // On a connection already held: the lease's round trip, against which a permit's lateness is measured,
        // starts when the statement leaves, not while the pool is busy.
        return pool.withConnection(conn -> {
            long sent = System.nanoTime();
            return conn.preparedQuery(LEASE_SQL)
                    .execute(Tuple.of(provider, wanted, spacingMs, horizonMs))
                    .map(rows -> {
                        Row row = rows.iterator().next();
                        return new Lease(
                                row.getInteger("granted"), row.getDouble("first_in"), row.getDouble("first_at"), sent);
                    });
        });
    }

    @Override
    public void later(long delayMs, Runnable action) {
        vertx.setTimer(Math.max(1, delayMs), id -> action.run());
    }
}
