package dev.cascade.webhooks;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeoutException;
import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.tracing.TracingPolicy;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.core.net.SocketAddress;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import io.vertx.mutiny.ext.web.codec.BodyCodec;

import dev.cascade.config.CascadeConfig;

/**
 * Makes one attempt: the egress check (its DNS lookup within the organisation's share), the signature, the POST to
 * the checked address, and what the answer means. Never fails: every outcome is an {@link AttemptResult}.
 */
@ApplicationScoped
class WebhookCall {
    /** A receiver's `Retry-After` is honoured up to this (beyond the schedule's longest step). */
    private static final Duration MAX_RETRY_AFTER = Duration.ofHours(24);

    private final WebClient client;
    private final EgressPolicy egress;
    private final WebhookSigner signer;
    private final CascadeConfig.Webhooks config;
    private final OrgPermits lookups;
    private final Counter lookupWaits;

    WebhookCall(Vertx vertx, EgressPolicy egress, WebhookSigner signer, CascadeConfig config, MeterRegistry meters) {
        this.egress = egress;
        this.signer = signer;
        this.config = config.webhooks();
        this.lookups = new OrgPermits(this.config.fairness().dnsLookupsPerOrganization());
        this.lookupWaits = Counter.builder(DeliveryClaims.DEFERRED)
                .description(DeliveryClaims.DEFERRED_DESCRIPTION)
                .tag("reason", "dns_cap")
                .register(meters);
        this.client = WebClient.create(
                vertx,
                new WebClientOptions()
                        .setFollowRedirects(false)
                        .setConnectTimeout((int) this.config.timeout().toMillis())
                        .setUserAgent(this.config.userAgent())
                        .setMaxPoolSize(64)
                        // The attempt is traced by the sender, in the workflow's trace; the client adds no span and
                        // sends no trace header to the receiver.
                        .setTracingPolicy(TracingPolicy.IGNORE));
    }

    void close() {
        client.close();
    }

    Uni<AttemptResult> send(Claimed event, String payload) {
        // The lookup runs on the egress policy's shared pool; the organisation's permit bounds its share of it.
        return lookups.run(event.orgId(), lookupWaits::increment, () -> egress.decide(event.url(), true))
                .chain(decision -> {
                    if (decision.refusal() != null) {
                        Log.warnf(
                                "Webhook %s of workflow %s not sent: %s",
                                event.eventId(), event.workflowId(), decision.refusal());
                        String error = EgressPolicy.UNKNOWN_HOST.equals(decision.refusal())
                                ? EgressPolicy.UNKNOWN_HOST
                                : "blocked by egress policy";
                        return Uni.createFrom().item(new AttemptResult("failed", null, error, 0, null));
                    }
                    return post(event, payload, decision.address());
                });
    }

    /**
     * Posts the event. With a checked address the connection goes to that address (the URL still gives the Host
     * header and TLS server name), so a DNS answer that changes after the check cannot redirect it.
     */
    private Uni<AttemptResult> post(Claimed event, String payload, InetAddress address) {
        // One timestamp for the header and the signature; the signature covers exactly the bytes sent.
        long timestamp = Instant.now().getEpochSecond();
        return signer.signature(event.orgId(), event.eventId(), timestamp, payload)
                .onItemOrFailure()
                .transformToUni((signature, signingFailure) -> {
                    if (signingFailure != null || signature == null || signature.isEmpty()) {
                        // Never sent unsigned: the attempt fails and is retried on schedule.
                        Log.errorf(
                                "Webhook %s of workflow %s not sent: signing failed (%s)",
                                event.eventId(),
                                event.workflowId(),
                                signingFailure == null ? "no signature" : signingFailure.getMessage());
                        return Uni.createFrom().item(AttemptResult.ownFault("signing failed"));
                    }
                    long started = System.nanoTime();
                    long timeoutMs = config.timeout().toMillis();
                    var request = address == null
                            ? client.requestAbs(HttpMethod.POST, event.url())
                            : client.requestAbs(HttpMethod.POST, pinned(event.url(), address), event.url());
                    return request.timeout(timeoutMs)
                            .putHeader("Content-Type", "application/json")
                            .putHeader("webhook-id", event.eventId())
                            .putHeader("webhook-timestamp", Long.toString(timestamp))
                            .putHeader("webhook-signature", signature)
                            .as(BodyCodec.none())
                            .sendBuffer(Buffer.buffer(payload))
                            .ifNoItem()
                            .after(config.timeout())
                            .failWith(TimeoutException::new)
                            .map(response -> classify(response, started))
                            .onFailure()
                            .recoverWithItem(failure ->
                                    new AttemptResult("failed", null, shortCause(failure), elapsed(started), null));
                });
    }

    private static SocketAddress pinned(String url, InetAddress address) {
        URI uri = URI.create(url);
        int port = uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
        return SocketAddress.inetSocketAddress(port, address.getHostAddress());
    }

    private static AttemptResult classify(HttpResponse<Void> response, long started) {
        int code = response.statusCode();
        long duration = elapsed(started);
        if (code >= 200 && code < 300) {
            return new AttemptResult("succeeded", code, null, duration, null);
        }
        Duration retryAfter = null;
        if (code == 429 || code == 503) {
            retryAfter = parseRetryAfter(response.getHeader("Retry-After"));
        }
        return new AttemptResult("failed", code, "HTTP " + code, duration, retryAfter);
    }

    private static long elapsed(long started) {
        return (System.nanoTime() - started) / 1_000_000;
    }

    private static String shortCause(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            if (cause instanceof ConnectException || cause instanceof TimeoutException) {
                break;
            }
            cause = cause.getCause();
        }
        if (cause instanceof TimeoutException
                || (cause.getMessage() != null
                        && cause.getMessage().toLowerCase(java.util.Locale.ROOT).contains("timeout"))) {
            return "timeout";
        }
        if (cause instanceof ConnectException) {
            return "connection refused";
        }
        return "connection error";
    }

    static Duration parseRetryAfter(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            long seconds = Long.parseLong(value.trim());
            Duration parsed = Duration.ofSeconds(Math.max(0, seconds));
            return parsed.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : parsed;
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.parse(value.trim(), Instant::from);
                Duration parsed = Duration.between(Instant.now(), at);
                if (parsed.isNegative()) {
                    return Duration.ZERO;
                }
                return parsed.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : parsed;
            } catch (RuntimeException unparseable) {
                return null;
            }
        }
    }
}
