package dev.cascade.api;

import java.io.ByteArrayInputStream;
import java.util.Locale;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

/**
 * The request-body size limit (§1, §11), checked after authentication and the rate limit (§2.1's order) and never by
 * reading an oversized body into memory: a declared `Content-Length` over the limit is refused unread; a body of
 * unknown length (chunked) is read here, counting bytes, and refused as soon as it passes the limit. Every refusal is
 * the contract's JSON 413 and closes the connection, so the rest of the body is never waited for.
 */
final class BodyLimit {
    static final String TOO_LARGE = "Request body too large";

    private final long maxBytes;

    BodyLimit(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /**
     * Whether the body of this request is over the limit or of unknown length: a refusal that leaves it unread must
     * close the connection rather than keep it open while the rest arrives.
     */
    boolean unreadBodyMatters(ContainerRequestContext request) {
        long declared = declaredLength(request);
        return declared > maxBytes || (declared < 0 && chunked(request));
    }

    /**
     * Null when the body may be read (for a chunked body: it has been read, and is the request's entity from now on),
     * else the 413.
     */
    Uni<Response> check(ContainerRequestContext request, HttpServerRequest http) {
        long declared = declaredLength(request);
        if (declared > maxBytes) {
            return Uni.createFrom().item(tooLarge());
        }
        if (declared >= 0 || !chunked(request) || http == null || http.isEnded()) {
            return Uni.createFrom().nullItem();
        }
        return read(http).map(body -> {
            if (body == null) {
                return tooLarge();
            }
            request.setEntityStream(new ByteArrayInputStream(body));
            return null;
        });
    }

    /** The whole body, or null as soon as it passes the limit (reading stops there). */
    private Uni<byte[]> read(HttpServerRequest http) {
        return Uni.createFrom().emitter(emitter -> {
            Buffer body = Buffer.buffer();
            boolean[] done = {false};
            http.handler(chunk -> {
                if (done[0]) {
                    return;
                }
                if ((long) body.length() + chunk.length() > maxBytes) {
                    done[0] = true;
                    http.pause();
                    emitter.complete(null);
                    return;
                }
                body.appendBuffer(chunk);
            });
            http.exceptionHandler(failure -> {
                if (!done[0]) {
                    done[0] = true;
                    emitter.fail(failure);
                }
            });
            http.endHandler(end -> {
                if (!done[0]) {
                    done[0] = true;
                    emitter.complete(body.getBytes());
                }
            });
            http.resume();
        });
    }

    static Response tooLarge() {
        return Response.status(413)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .header("Connection", "close")
                .entity(new ErrorBody(TOO_LARGE))
                .build();
    }

    /** The declared length; -1 when there is none; 0 for a malformed one, which Vert.x refuses itself. */
    private static long declaredLength(ContainerRequestContext request) {
        String length = request.getHeaderString(HttpHeaders.CONTENT_LENGTH);
        if (length == null) {
            return -1;
        }
        try {
            return Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static boolean chunked(ContainerRequestContext request) {
        String encoding = request.getHeaderString("Transfer-Encoding");
        return encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked");
    }
}
