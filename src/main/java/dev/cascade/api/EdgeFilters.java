package dev.cascade.api;

import java.util.UUID;
import java.util.regex.Pattern;

import io.quarkus.vertx.web.RouteFilter;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import org.jboss.logging.MDC;

import dev.cascade.config.CascadeConfig;
import dev.cascade.config.Role;

/**
 * Vert.x-level filters that run before anything else: request ids and the `api` role. The body size limit is not
 * here: it comes after authentication and the rate limit (§2.1), in {@link AuthFilter} and {@link BodyLimit}.
 */
public class EdgeFilters {
    static final String REQUEST_ID = "X-Request-Id";
    static final String NOT_FOUND = "{\"detail\":\"Not Found\"}";
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private final boolean api;

    public EdgeFilters(CascadeConfig config) {
        this.api = config.roles().has(Role.API);
    }

    /** Every response carries `X-Request-Id`: the caller's when it is a sane token, else a new one. */
    @RouteFilter(1000)
    void requestId(RoutingContext rc) {
        String given = rc.request().getHeader(REQUEST_ID);
        String id = given != null && SAFE_ID.matcher(given).matches()
                ? given
                : UUID.randomUUID().toString();
        rc.put("requestId", id);
        MDC.put("requestId", id);
        rc.response().putHeader(REQUEST_ID, id);
        rc.next();
    }

    /**
     * A process without the `api` role serves nothing under `/api` — the same 404 as an unknown path, before
     * authentication or a body is read — while `/q/health` and `/q/metrics` stay open for the orchestrator.
     */
    @RouteFilter(950)
    void apiRole(RoutingContext rc) {
        if (!api) {
            String path = rc.normalizedPath();
            if (path.equals("/api") || path.startsWith("/api/")) {
                rc.response()
                        .setStatusCode(404)
                        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                        .end(NOT_FOUND);
                return;
            }
        }
        rc.next();
    }
}
