package dev.cascade.api;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

import dev.cascade.accounts.Authenticator;
import dev.cascade.accounts.Principal;
import dev.cascade.accounts.RateDecision;
import dev.cascade.accounts.RateLimiter;
import dev.cascade.config.CascadeConfig;

/**
 * Authentication, the first check of every public and operator request (§1, §9): `Authorization: Bearer <key>`
 * with a `clapi_` key for `/api/v1/public`, with the operator token for `/api/v1/admin`; then the rate limit and the
 * body size ({@link BodyLimit}), in that order.
 */
public class AuthFilter {
    static final String PUBLIC = "/api/v1/public";
    static final String ADMIN = "/api/v1/admin";

    private final Authenticator authenticator;
    private final CurrentPrincipal current;
    private final OperatorAuth operator;
    private final RateLimiter limiter;
    private final BodyLimit bodies;

    public AuthFilter(
            Authenticator authenticator,
            CurrentPrincipal current,
            OperatorAuth operator,
            RateLimiter limiter,
            CascadeConfig config) {
        this.authenticator = authenticator;
        this.bodies = new BodyLimit(config.intake().maxBodyBytes());
        this.limiter = limiter;
        this.current = current;
        this.operator = operator;
    }

    /**
     * The checks every request passes in the contract's order (§2.1): authentication (401), the rate limit (429),
     * then the body size (413), so that an oversized body from a caller without a key is still a 401.
     */
    @ServerRequestFilter(preMatching = true)
    public Uni<Response> authenticate(ContainerRequestContext request, HttpServerRequest http) {
        return admitted(request, http).chain(refusal -> {
            if (refusal != null) {
                return Uni.createFrom().item(closingIfUnread(refusal, request));
            }
            return bodies.check(request, http);
        });
    }

    private Uni<Response> admitted(ContainerRequestContext request, HttpServerRequest http) {
        String path = request.getUriInfo().getPath();
        if (path.startsWith(ADMIN)) {
            String token = bearer(request.getHeaderString(HttpHeaders.AUTHORIZATION));
            String client = clientAddress(http);
            Response refusal = operator.check(token, client);
            current.rate(operator.standing(client));
            return Uni.createFrom().item(refusal);
        }
        if (!path.startsWith(PUBLIC)) {
            return Uni.createFrom().nullItem();
        }
        String key = bearer(request.getHeaderString(HttpHeaders.AUTHORIZATION));
        if (key == null) {
            return Uni.createFrom().item(unauthenticated());
        }
        boolean counted = limiter.enabled();
        return authenticator.authenticate(key, counted).chain(found -> {
            if (found == null) {
                return Uni.createFrom().item(unauthenticated());
            }
            Principal principal = found.principal();
            current.set(principal);
            // Counted by the lookup itself when rate limits are on (both windows answer then).
            Uni<RateDecision> decided = counted
                    ? limiter.decide(principal, found.orgHits(), found.keyHits(), found.reset())
                    : Uni.createFrom().nullItem();
            return decided.map(decision -> {
                current.rate(decision);
                if (decision == null || decision.allowed()) {
                    return null;
                }
                return Response.status(429)
                        .type(MediaType.APPLICATION_JSON_TYPE)
                        .header(HttpHeaders.RETRY_AFTER, decision.resetSeconds())
                        .entity(new ErrorBody("Rate limit exceeded"))
                        .build();
            });
        });
    }

    /**
     * A public 401 counts against nobody (no key was identified), so its `RateLimit-*` headers (§10) say what a key
     * starts a window with: the default per-key limit, none of it used, reset at the end of the current minute.
     */
    private Response unauthenticated() {
        current.rate(limiter.unidentified());
        return ErrorMappers.unauthenticated();
    }

    /** A refusal that leaves an oversized or unbounded body unread closes the connection instead of draining it. */
    private Response closingIfUnread(Response refusal, ContainerRequestContext request) {
        if (!bodies.unreadBodyMatters(request)) {
            return refusal;
        }
        return Response.fromResponse(refusal).header("Connection", "close").build();
    }

    /** Every response to a counted request says where the caller stands (§10). */
    @ServerResponseFilter
    public void rateLimitHeaders(ContainerResponseContext response) {
        RateDecision decision = current.rate();
        if (decision != null && !response.getHeaders().containsKey("RateLimit-Limit")) {
            response.getHeaders().putSingle("RateLimit-Limit", decision.limit());
            response.getHeaders().putSingle("RateLimit-Remaining", decision.remaining());
            response.getHeaders().putSingle("RateLimit-Reset", decision.resetSeconds());
        }
    }

    /**
     * The `RateLimit-*` headers for a streamed response, which response filters do not see (§10); nothing when the
     * request was not counted.
     */
    static void rateHeaders(Map<String, List<String>> headers, RateDecision decision) {
        if (decision != null) {
            headers.put("RateLimit-Limit", List.of(String.valueOf(decision.limit())));
            headers.put("RateLimit-Remaining", List.of(String.valueOf(decision.remaining())));
            headers.put("RateLimit-Reset", List.of(String.valueOf(decision.resetSeconds())));
        }
    }

    /**
     * The peer's address (behind a proxy the forwarded client's, when `quarkus.http.proxy.*` trusts that proxy), or
     * "unknown".
     */
    private static String clientAddress(HttpServerRequest http) {
        SocketAddress remote = http == null ? null : http.remoteAddress();
        String host = remote == null ? null : remote.hostAddress();
        return host == null || host.isEmpty() ? "unknown" : host;
    }

    /** The credential of a `Bearer` header (scheme case-insensitive, exactly one space), else null. */
    static String bearer(String header) {
        if (header == null || header.length() <= 7) {
            return null;
        }
        if (!header.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
            return null;
        }
        String credential = header.substring(7);
        return credential.isEmpty() || credential.startsWith(" ") || credential.endsWith(" ") ? null : credential;
    }
}
