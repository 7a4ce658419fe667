package dev.cascade.api;

import java.util.Optional;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;

import dev.cascade.accounts.ApiKeys;
import dev.cascade.accounts.RateDecision;
import dev.cascade.config.AdminSettings;
import dev.cascade.config.CascadeConfig;

/**
 * The operator token's check (§9): refused at start-up when weak ({@link OperatorTokenPolicy}), compared in constant
 * time on every `/api/v1/admin` request, and wrong tokens throttled per client address ({@link FailedAuthThrottle}).
 * A wrong token is logged at WARN with the client address, never with what was presented.
 */
@ApplicationScoped
public class OperatorAuth {
    private final Optional<String> token;
    private final FailedAuthThrottle throttle;
    private final Counter rejected;
    private final Counter throttled;

    OperatorAuth(CascadeConfig config, MeterRegistry meters) {
        AdminSettings admin = config.admin();
        this.token = admin.token().filter(t -> !t.isEmpty());
        AdminSettings.AuthThrottle settings = admin.authThrottle();
        this.throttle = new FailedAuthThrottle(
                settings.burst(), settings.refillPeriod().toNanos(), settings.maxTracked(), System::nanoTime);
        this.rejected = Counter.builder("cascade_admin_auth_failures")
                .description("Operator requests refused: a wrong token (rejected) or a throttled client (throttled)")
                .tag("outcome", "rejected")
                .register(meters);
        this.throttled = Counter.builder("cascade_admin_auth_failures")
                .description("Operator requests refused: a wrong token (rejected) or a throttled client (throttled)")
                .tag("outcome", "throttled")
                .register(meters);
    }

    /** A weak operator token is a public one: refuse to start rather than serve an operator API anyone can open. */
    void onStart(@Observes StartupEvent event) {
        Optional<String> problem = OperatorTokenPolicy.problem(token);
        if (problem.isPresent()) {
            throw new IllegalStateException(problem.get());
        }
        if (token.isEmpty()) {
            Log.infof(
                    "Operator API closed: %s is not set (every /api/v1/admin request answers 401)",
                    OperatorTokenPolicy.SETTING);
        }
    }

    /**
     * Where {@code client} stands with the failed-authentication throttle, for the `RateLimit-*` headers of every
     * operator answer (§10): the burst, the attempts left and the seconds until all of them are back.
     */
    RateDecision standing(String client) {
        int left = throttle.remaining(client);
        return new RateDecision(
                left > 0, throttle.burst(), left, (int) Math.min(Integer.MAX_VALUE, throttle.secondsUntilFull(client)));
    }

    /**
     * Null when {@code credential} (the Bearer value, or null) is the operator token; else the 401, or the 429 with
     * `Retry-After` for a client that used up its attempts.
     */
    Response check(String credential, String client) {
        long wait = throttle.acquire(client);
        if (wait > 0) {
            throttled.increment();
            Log.debugf("Operator request from %s refused: throttled for %d s", client, wait);
            return Response.status(429)
                    .type(MediaType.APPLICATION_JSON_TYPE)
                    .header(HttpHeaders.RETRY_AFTER, wait)
                    .entity(new ErrorBody("Too many failed authentication attempts"))
                    .build();
        }
        if (credential == null) {
            // No credential is no guess: a 401 without spending an attempt or a WARN line (scanners send these).
            throttle.refund(client);
            return ErrorMappers.unauthenticated();
        }
        boolean ok = token.map(t -> ApiKeys.sameSecret(t, credential)).orElse(false) && !ApiKeys.wellFormed(credential);
        if (ok) {
            throttle.refund(client);
            return null;
        }
        rejected.increment();
        int left = throttle.remaining(client);
        if (left > 0) {
            Log.warnf("Operator authentication failed from %s (%d more before it is throttled)", client, left);
        } else {
            Log.warnf(
                    "Operator authentication failed from %s; further operator requests from it are throttled", client);
        }
        return ErrorMappers.unauthenticated();
    }
}
