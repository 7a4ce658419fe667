package dev.cascade.api;

import java.util.Locale;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import io.smallrye.mutiny.Uni;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import dev.cascade.accounts.ApiKeys;
import dev.cascade.accounts.Authenticator;
import dev.cascade.config.CascadeConfig;

/**
 * Authentication, the first check of every public and operator request (§1, §9): `Authorization: Bearer <key>`
 * with a `clapi_` key for `/api/v1/public`, with the operator token for `/api/v1/admin`.
 */
public class AuthFilter {
    static final String PUBLIC = "/api/v1/public";
    static final String ADMIN = "/api/v1/admin";

    private final Authenticator authenticator;
    private final CurrentPrincipal current;
    private final CascadeConfig config;

    public AuthFilter(Authenticator authenticator, CurrentPrincipal current, CascadeConfig config) {
        this.authenticator = authenticator;
        this.current = current;
        this.config = config;
    }

    @ServerRequestFilter(preMatching = true)
    public Uni<Response> authenticate(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (path.startsWith(ADMIN)) {
            String token = bearer(request.getHeaderString(HttpHeaders.AUTHORIZATION));
            boolean ok = config.admin()
                            .token()
                            .map(t -> ApiKeys.sameSecret(t, token))
                            .orElse(false)
                    && !ApiKeys.wellFormed(token);
            return Uni.createFrom().item(ok ? null : ErrorMappers.unauthenticated());
        }
        if (!path.startsWith(PUBLIC)) {
            return Uni.createFrom().nullItem();
        }
        String key = bearer(request.getHeaderString(HttpHeaders.AUTHORIZATION));
        if (key == null) {
            return Uni.createFrom().item(ErrorMappers.unauthenticated());
        }
        return authenticator.authenticate(key).map(principal -> {
            if (principal == null) {
                return ErrorMappers.unauthenticated();
            }
            current.set(principal);
            return null;
        });
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
