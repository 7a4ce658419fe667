package dev.cascade.waterfall.providers;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.core.tracing.TracingPolicy;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpRequest;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;

/**
 * The HTTP client every vendor adapter shares: no redirects followed, pooled keep-alive connections, a per-request
 * timeout, and one mapping of transport errors and unexpected statuses to {@link ProviderOutcome.Failure}s, so each
 * adapter only decides what its vendor's answers mean. Never fails its {@code Uni}.
 */
@ApplicationScoped
public class VendorHttp {
    /** Vendor answers larger than this are not parsed (no vendor answers a single lookup with more). */
    static final int MAX_BODY_BYTES = 4 * 1024 * 1024;

    private final WebClient client;
    private final ObjectMapper mapper;

    public VendorHttp(Vertx vertx, ObjectMapper mapper) {
        this.mapper = mapper;
        this.client = WebClient.create(
                vertx,
                new WebClientOptions()
                        .setFollowRedirects(false)
                        .setConnectTimeout(3_000)
                        .setKeepAlive(true)
                        .setMaxPoolSize(128)
                        .setTryUseCompression(true)
                        .setUserAgent("Cascade/0.1")
                        // Provider calls are traced by the waterfall (one span per call, from its trace step); the
                        // client's own spans would start orphan traces and send our trace ids to the vendor.
                        .setTracingPolicy(TracingPolicy.IGNORE));
    }

    @PreDestroy
    void close() {
        client.close();
    }

    /** A request to an absolute URL; add query parameters and headers, then {@link #send}. */
    public HttpRequest<Buffer> request(HttpMethod method, String absoluteUrl) {
        return client.requestAbs(method, absoluteUrl).followRedirects(false);
    }

    /**
     * Sends the request (with a JSON body when {@code json} is not null) within {@code timeout} and maps the answer
     * with {@code mapper}. Transport errors, timeouts and a mapper that throws (an unreadable body) become
     * failures; the mapper sees every status and usually ends with {@link VendorResponse#unexpected()}.
     */
    public Uni<ProviderOutcome> send(
            HttpRequest<Buffer> request, Duration timeout, Object json, ResponseMapper responseMapper) {
        // The provider's guard times the attempt out (and does not retry a timeout); this later socket timeout only
        // makes sure the connection is given up too.
        long millis = Math.max(1, timeout.toMillis());
        request.timeout(millis + Math.min(1000, Math.max(50, millis / 2)));
        Uni<HttpResponse<Buffer>> exchange;
        if (json == null) {
            exchange = request.send();
        } else {
            Buffer body = Buffer.buffer(write(json));
            request.putHeader("Content-Type", "application/json");
            exchange = request.sendBuffer(body);
        }
        return exchange.map(response -> map(response, responseMapper))
                .onFailure()
                .recoverWithItem(VendorHttp::transportFailure);
    }

    private ProviderOutcome map(HttpResponse<Buffer> response, ResponseMapper responseMapper) {
        Buffer body = response.body();
        if (body != null && body.length() > MAX_BODY_BYTES) {
            return ProviderOutcome.Failure.permanent("response too large");
        }
        VendorResponse vendorResponse = new VendorResponse(response.statusCode(), response::getHeader, body, mapper);
        try {
            return responseMapper.map(vendorResponse);
        } catch (RuntimeException | java.io.IOException malformed) {
            Log.debugf("Unreadable vendor answer (HTTP %d): %s", response.statusCode(), malformed.toString());
            return ProviderOutcome.Failure.permanent("malformed response");
        }
    }

    private String write(Object json) {
        if (json instanceof String text) {
            return text;
        }
        if (json instanceof JsonObject object) {
            return object.encode();
        }
        try {
            return mapper.writeValueAsString(json instanceof Map<?, ?> map ? map : json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("Request body cannot be written as JSON", e);
        }
    }

    /** A short, secret-free reason for a failure below HTTP. */
    static ProviderOutcome transportFailure(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause && !(cause instanceof ConnectException)) {
            cause = cause.getCause();
        }
        String reason;
        if (cause instanceof ConnectException || failure instanceof ConnectException) {
            reason = "connection refused";
        } else if (cause instanceof UnknownHostException) {
            reason = "unknown host";
        } else if (cause instanceof NoRouteToHostException) {
            reason = "no route to host";
        } else if (cause instanceof TimeoutException
                || failure instanceof TimeoutException
                || cause.getClass().getSimpleName().contains("Timeout")) {
            reason = "timeout";
        } else {
            reason = "connection error";
        }
        return ProviderOutcome.Failure.transientFault(reason);
    }

    /** Maps one vendor answer to an outcome; may throw on an unreadable body (a `malformed response` failure). */
    @FunctionalInterface
    public interface ResponseMapper {
        ProviderOutcome map(VendorResponse response) throws java.io.IOException;
    }
}
