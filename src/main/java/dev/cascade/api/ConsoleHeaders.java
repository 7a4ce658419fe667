package dev.cascade.api;

import io.quarkus.vertx.web.RouteFilter;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

import dev.cascade.config.CascadeConfig;
import dev.cascade.config.Role;

/**
 * The web console (`/console`, static files under `META-INF/resources/console`): served only by a process with the
 * `api` role, and every answer under it carries a strict Content-Security-Policy (scripts, styles and connections
 * from this origin only, no inline code, no framing) with `nosniff` and no referrer, so a page of the console can
 * neither load nor leak anything elsewhere.
 */
public class ConsoleHeaders {
    static final String ROOT = "/console";
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self';"
            + " frame-ancestors 'none'";

    private final boolean api;

    public ConsoleHeaders(CascadeConfig config) {
        this.api = config.roles().has(Role.API);
    }

    @RouteFilter(900)
    void console(RoutingContext rc) {
        String path = rc.normalizedPath();
        if (!path.equals(ROOT) && !path.startsWith(ROOT + "/")) {
            rc.next();
            return;
        }
        var response = rc.response();
        response.putHeader("Content-Security-Policy", CSP)
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("Referrer-Policy", "no-referrer")
                .putHeader("X-Frame-Options", "DENY")
                .putHeader("Cross-Origin-Opener-Policy", "same-origin")
                .putHeader("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
        if (!api) {
            response.setStatusCode(404)
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .end(EdgeFilters.NOT_FOUND);
            return;
        }
        if (path.equals(ROOT)) {
            response.setStatusCode(302)
                    .putHeader(HttpHeaders.LOCATION, ROOT + "/")
                    .end();
            return;
        }
        rc.next();
    }
}
