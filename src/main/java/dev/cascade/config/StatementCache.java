package dev.cascade.config;

import jakarta.inject.Singleton;

import io.quarkus.logging.Log;
import io.quarkus.reactive.pg.client.PgPoolCreator;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgPool;
import io.vertx.sqlclient.Pool;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Creates the reactive PostgreSQL pool as Quarkus would, with one change: statements up to
 * {@code cascade.db.statement-cache-sql-limit} characters (default 65536) are kept prepared on each connection. The
 * Vert.x client caches only statements of at most 2,048 characters by default, and a statement it does not cache
 * costs a round trip more (prepare, then execute) and a parse and plan in PostgreSQL every time. The submit statement
 * (about 2,100 characters) and the aggregator's settle statement (about 9,000) are the two the gateway runs most, so
 * both paid that on every submit and every settled batch (docs/performance.md).
 */
@Singleton
public class StatementCache implements PgPoolCreator {
    private final int sqlLimit;

    StatementCache(
            @ConfigProperty(name = "cascade.db.statement-cache-sql-limit", defaultValue = "65536") int sqlLimit) {
        this.sqlLimit = sqlLimit;
    }

    @Override
    public Pool create(Input input) {
        for (PgConnectOptions options : input.pgConnectOptionsList()) {
            options.setPreparedStatementCacheSqlLimit(sqlLimit);
        }
        Log.debugf("Reactive PostgreSQL pool: statements of up to %d characters stay prepared", sqlLimit);
        return PgPool.pool(input.vertx(), input.pgConnectOptionsList(), input.poolOptions());
    }
}
