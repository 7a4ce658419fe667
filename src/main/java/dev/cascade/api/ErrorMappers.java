package dev.cascade.api;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.quarkus.logging.Log;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import dev.cascade.support.ApiException;
import dev.cascade.support.TooManyRequests;
import dev.cascade.support.ValidationException;

/** One mapper per kind of error, all in the contract's FastAPI shape; no stack trace or class name leaks. */
public class ErrorMappers {

    static Response error(int status, Object detail) {
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ErrorBody(detail))
                .build();
    }

    static Response unauthenticated() {
        return Response.status(401)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
                .entity(new ErrorBody("Not authenticated"))
                .build();
    }

    @ServerExceptionMapper
    public Response apiError(ApiException e) {
        if (e instanceof TooManyRequests quota) {
            return Response.status(429)
                    .type(MediaType.APPLICATION_JSON_TYPE)
                    .header(HttpHeaders.RETRY_AFTER, quota.retryAfterSeconds())
                    .entity(new ErrorBody(quota.detail()))
                    .build();
        }
        return e.status() == 401 ? unauthenticated() : error(e.status(), e.detail());
    }

    @ServerExceptionMapper
    public Response validation(ValidationException e) {
        return error(422, e.problems());
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
        if (status >= 500) {
            Log.errorf(e, "Request failed with %d", status);
            return error(500, "Internal Server Error");
        }
        Response.StatusType type = Response.Status.fromStatusCode(status);
        String reason = type == null ? "Request refused" : type.getReasonPhrase();
        Response.ResponseBuilder builder =
                Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(new ErrorBody(reason));
        if (e.getResponse() != null && e.getResponse().getHeaderString(HttpHeaders.ALLOW) != null) {
            builder.header(HttpHeaders.ALLOW, e.getResponse().getHeaderString(HttpHeaders.ALLOW));
        }
        return builder.build();
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        if (overloaded(e)) {
            // Not a fault of the request nor a bug: the database is saturated or away. The client may retry.
            Log.warnf("Request refused, PostgreSQL unavailable or saturated: %s", e.getMessage());
            return Response.status(503)
                    .type(MediaType.APPLICATION_JSON_TYPE)
                    .header(HttpHeaders.RETRY_AFTER, "1")
                    .entity(new ErrorBody("Service temporarily unavailable; retry shortly"))
                    .build();
        }
        Log.errorf(e, "Unexpected error while handling a request");
        return error(500, "Internal Server Error");
    }

    /**
     * A wait for a database connection that timed out, or a connection that could not be made or was lost: the
     * reactive pool reports these as these exception types, with no SQLSTATE.
     */
    static boolean overloaded(Throwable e) {
        int depth = 0;
        for (Throwable t = e; t != null && depth < 16; t = t.getCause(), depth++) {
            if (t instanceof io.vertx.pgclient.PgException pg
                    && ("53300".equals(pg.getSqlState()) || "57P03".equals(pg.getSqlState()))) {
                // too many connections; the server cannot take connections now
                return true;
            }
            String message = String.valueOf(t.getMessage());
            if (t instanceof io.vertx.core.impl.NoStackTraceThrowable && message.startsWith("Timeout")) {
                return true;
            }
            if (t instanceof java.net.ConnectException
                    || t instanceof io.vertx.core.VertxException && message.contains("Connection")) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }
}
