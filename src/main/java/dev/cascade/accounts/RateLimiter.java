package dev.cascade.accounts;

import java.time.LocalTime;
import java.time.ZoneOffset;
import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.cascade.config.CascadeConfig;
import dev.cascade.config.RoleGuards;

/**
 * Rate limits per organisation and per key (§10), in fixed one-minute windows counted in PostgreSQL so that they
 * hold across every gateway replica. The key lookup counts both scopes of a request in the same statement
 * ({@link Authenticator#authenticate(String, boolean)}); this class decides on the totals and gives a refused request's
 * hits back.
 */
@ApplicationScoped
public class RateLimiter {
    static final String GIVE_BACK_SQL = """
            UPDATE rate_limit_windows SET hits = hits - 1
             WHERE scope IN ($1, $2) AND window_start = date_trunc('minute', now()) AND hits > 0
            """;

    private final Pool pool;
    private final CascadeConfig.RateLimits config;

    public RateLimiter(Pool pool, CascadeConfig config) {
        this.pool = pool;
        this.config = config.rateLimits();
    }

    /** Whether requests are counted (cascade.rate-limits.enabled). */
    public boolean enabled() {
        return config.enabled();
    }

    /**
     * The decision on a request counted by {@link Authenticator#authenticate(String, boolean)}: the
     * windows' hits after it against the principal's limits; null when rate limiting is switched off.
     */
    public Uni<RateDecision> decide(Principal principal, int orgHits, int keyHits, int reset) {
        if (!config.enabled()) {
            return Uni.createFrom().nullItem();
        }
        int orgLimit =
                principal.requestsPerMinute() != null ? principal.requestsPerMinute() : config.organizationPerMinute();
        int keyLimit =
                principal.keyRequestsPerMinute() != null ? principal.keyRequestsPerMinute() : config.keyPerMinute();
        int orgLeft = orgLimit - orgHits;
        int keyLeft = keyLimit - keyHits;
        boolean keyBinds = keyLeft < orgLeft;
        int limit = keyBinds ? keyLimit : orgLimit;
        int left = Math.min(orgLeft, keyLeft);
        RateDecision decision = new RateDecision(left >= 0, limit, Math.max(0, left), Math.max(1, reset));
        if (decision.allowed()) {
            return Uni.createFrom().item(decision);
        }
        // A refused request takes back what it counted: a key hammering past its own limit must not use up its
        // organisation's budget for the other keys.
        return pool.preparedQuery(GIVE_BACK_SQL)
                .execute(Tuple.of("org:" + principal.orgId(), "key:" + principal.keyId()))
                .replaceWith(decision);
    }

    /**
     * The standing of a request that identified no key (a 401): nothing is counted, so it is the default per-key limit
     * untouched, with the seconds to the end of the current one-minute window; null when rate limiting is off.
     */
    public RateDecision unidentified() {
        if (!config.enabled()) {
            return null;
        }
        int limit = config.keyPerMinute();
        return new RateDecision(
                true, limit, limit, 60 - LocalTime.now(ZoneOffset.UTC).getSecond());
    }

    /** Forgets finished windows (of the per-minute limits, and of the hourly redelivery counters). */
    @Scheduled(
            every = "60s",
            delayed = "30s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = RoleGuards.NotApi.class)
    Uni<Void> purge() {
        // Redelivery counters (scope `redeliver:…`, WebhookRedelivery) are per hour and must outlive their hour.
        return pool.query(
                        "DELETE FROM rate_limit_windows WHERE window_start < now() - CASE WHEN scope LIKE 'redeliver:%'"
                                + " THEN interval '62 minutes' ELSE interval '2 minutes' END")
                .execute()
                .replaceWithVoid()
                .onFailure()
                .recoverWithNull();
    }
}
