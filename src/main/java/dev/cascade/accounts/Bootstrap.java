package dev.cascade.accounts;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.cascade.config.CascadeConfig;
import dev.cascade.config.Role;

/**
 * Creates, idempotently, the bootstrap organisation (with credits) and its API key when enabled (local and test
 * profiles). The organisation's id is derived from its name, so restarts find the same one.
 */
@ApplicationScoped
public class Bootstrap {
    private final Pool pool;
    private final CascadeConfig config;
    private final int httpPort;
    private final AtomicBoolean done = new AtomicBoolean();

    public Bootstrap(Pool pool, CascadeConfig config, @ConfigProperty(name = "quarkus.http.port") int httpPort) {
        this.pool = pool;
        this.config = config;
        this.httpPort = httpPort;
    }

    void onStart(@Observes StartupEvent event) {
        // The bootstrap key is for API clients: a worker process leaves it to the API processes.
        if (!config.bootstrap().enabled() || !config.roles().has(Role.API)) {
            done.set(true);
            return;
        }
        boolean generated = config.bootstrap().apiKey().isEmpty();
        String key = config.bootstrap().apiKey().orElseGet(ApiKeys::generate);
        if (!ApiKeys.wellFormed(key)) {
            Log.error("GATEWAY_BOOTSTRAP_API_KEY is not a clapi_ key (clapi_ + 16 to 128 base64url characters;"
                    + " 64 is the standard); bootstrap skipped");
            return;
        }
        String name = config.bootstrap().organizationName();
        UUID orgId = UUID.nameUUIDFromBytes(("cascade-bootstrap:" + name).getBytes(StandardCharsets.UTF_8));
        ensure(orgId, name, key)
                .subscribe()
                .with(
                        ignored -> {
                            done.set(true);
                            Log.infof(
                                    "Bootstrap organisation %s ready at http://localhost:%d with API key clapi_...%s",
                                    orgId, httpPort, ApiKeys.last4(key));
                            if (generated) {
                                // A generated key is known nowhere else: it is shown once, on the console only,
                                // never through the logger. Set GATEWAY_BOOTSTRAP_API_KEY to fix it instead.
                                System.out.println("Bootstrap API key (shown once): " + key);
                            }
                        },
                        failure -> Log.errorf(failure, "Bootstrap of organisation %s failed", orgId));
    }

    /** True once bootstrap has finished (or was not asked for); readiness waits for it. */
    public boolean isDone() {
        return done.get();
    }

    private Uni<Void> ensure(UUID orgId, String name, String key) {
        BigDecimal credits = BigDecimal.valueOf(config.bootstrap().credits());
        return pool.withTransaction(conn -> conn.preparedQuery(
                                // The first start credits the organisation through the ledger; later starts
                                // only refresh its limits (xmax = 0 tells an inserted row from an updated one).
                                "WITH org AS (INSERT INTO organizations (id, name, credits, requests_per_minute,"
                                        + " key_requests_per_minute) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id)"
                                        + " DO UPDATE SET requests_per_minute = EXCLUDED.requests_per_minute,"
                                        + " key_requests_per_minute = EXCLUDED.key_requests_per_minute"
                                        + " RETURNING id, credits, (xmax = 0) AS inserted)"
                                        + " INSERT INTO credit_ledger (org_id, kind, amount, reason)"
                                        + " SELECT id, 'top_up', credits, 'initial credits' FROM org"
                                        + " WHERE inserted AND credits <> 0")
                        .execute(Tuple.of(
                                orgId,
                                name,
                                credits,
                                config.bootstrap().organizationPerMinute(),
                                config.bootstrap().keyPerMinute()))
                        .chain(() -> conn.preparedQuery("INSERT INTO api_keys (id, org_id, name, key_hash, last4)"
                                        + " VALUES ($1, $2, 'bootstrap', $3, $4) ON CONFLICT (key_hash) DO NOTHING")
                                .execute(Tuple.of(
                                        UUID.randomUUID(),
                                        orgId,
                                        Buffer.buffer(ApiKeys.hash(key)),
                                        ApiKeys.last4(key)))))
                .replaceWithVoid();
    }
}
