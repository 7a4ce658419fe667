package dev.cascade.webhooks;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;

import dev.cascade.aggregation.CompletionListeners.WorkflowsCompleted;
import dev.cascade.config.CascadeConfig;
import dev.cascade.config.Role;
import dev.cascade.config.RoleGuards;
import dev.cascade.telemetry.Tracing;

/**
 * Delivers webhook events from the `webhook_events` outbox: claims due events into free slots ({@link
 * DeliveryClaims}, fair between organisations), makes each attempt ({@link WebhookCall}) and records its outcome
 * ({@link AttemptOutcomes}). Every attempt is a row of the delivery log, and the next attempt's due time is kept in
 * PostgreSQL, so the schedule survives restarts.
 */
@ApplicationScoped
public class WebhookSender {
    private static final int CLAIM_BATCH = 32;
    private static final int MAX_IN_FLIGHT = 128;
    private static final long WAKE_MARGIN_MS = 25;
    /** Retry timers are set only for retries due this soon; later ones are found by the poll (on any replica). */
    private static final Duration TIMER_HORIZON = Duration.ofMinutes(2);
    // Span attributes of an attempt (tracing on).
    private static final AttributeKey<String> WEBHOOK_ID = AttributeKey.stringKey("cascade.webhook_id");
    private static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("cascade.attempt");
    private static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
    private static final AttributeKey<Long> HTTP_STATUS = AttributeKey.longKey("http.response.status_code");

    private final DeliveryClaims claims;
    private final WebhookCall call;
    private final AttemptOutcomes outcomes;
    private final WebhookPayloads payloads;
    private final Vertx vertx;
    private final AtomicBoolean claiming = new AtomicBoolean();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();
    /** Without the `webhooks` role this process never claims: a completion or a redelivery waits for a sender. */
    private final boolean sending;

    private final Tracing tracing;

    public WebhookSender(
            DeliveryClaims claims,
            WebhookCall call,
            AttemptOutcomes outcomes,
            WebhookPayloads payloads,
            Vertx vertx,
            CascadeConfig config,
            Tracing tracing) {
        this.tracing = tracing;
        this.claims = claims;
        this.call = call;
        this.outcomes = outcomes;
        this.payloads = payloads;
        this.vertx = vertx;
        this.sending = config.roles().has(Role.WEBHOOKS);
    }

    void onShutdown(@Observes ShutdownEvent event) {
        stopping.set(true);
        call.close();
    }

    /** New terminal workflows with a webhook: deliver now rather than at the next poll. */
    void onCompleted(@ObservesAsync WorkflowsCompleted completed) {
        if (completed.workflows().stream().anyMatch(w -> w.webhook())) {
            wake();
        }
    }

    @Scheduled(
            every = "${cascade.webhooks.poll-interval}",
            delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = RoleGuards.NotWebhooks.class)
    Uni<Void> poll() {
        wake();
        return Uni.createFrom().voidItem();
    }

    /**
     * Claims due deliveries unless a claim is running (that one then goes round once more). Claims fill free slots
     * only: at most {@code MAX_IN_FLIGHT} attempts run at once per instance, at most the in-flight cap per
     * organisation, and each finished attempt claims again, so one slow receiver holds a few slots, never the queue.
     */
    public void wake() {
        if (stopping.get() || !sending) {
            return;
        }
        again.set(true);
        if (!claiming.compareAndSet(false, true)) {
            return;
        }
        again.set(false);
        int room = MAX_IN_FLIGHT - inFlight.get();
        if (room <= 0) {
            claiming.set(false);
            return;
        }
        claims.claim(Math.min(room, CLAIM_BATCH))
                .subscribe()
                .with(
                        claimed -> {
                            start(claimed);
                            claiming.set(false);
                            if (claimed.size() == CLAIM_BATCH || again.get()) {
                                wake();
                            }
                        },
                        failure -> {
                            claiming.set(false);
                            if (!stopping.get()) {
                                Log.warnf("Claiming due webhooks failed: %s", failure.getMessage());
                            }
                        });
    }

    private void start(List<Claimed> claimed) {
        for (Claimed event : claimed) {
            inFlight.incrementAndGet();
            attempt(event)
                    .onTermination()
                    .invoke(inFlight::decrementAndGet)
                    .subscribe()
                    .with(ignored -> wake(), failure -> {
                        Log.warnf("Webhook %s attempt failed to complete: %s", event.eventId(), failure.getMessage());
                        wake();
                    });
        }
    }

    private record Sent(String payload, AttemptResult result) {}

    private Uni<Void> attempt(Claimed event) {
        if (!tracing.enabled()) {
            return attempt(event, null);
        }
        // A span of the workflow's trace (its submit's context, stored with the workflow), from the claim to the
        // recorded outcome. Only the host of the receiver's URL is recorded: its path or query may hold a secret.
        Span span = tracing.start("webhook " + event.eventType(), SpanKind.CLIENT, tracing.parse(event.traceparent()));
        span.setAttribute(Tracing.WORKFLOW_ID, event.workflowId());
        span.setAttribute(WEBHOOK_ID, event.eventId());
        span.setAttribute(ATTEMPT, (long) event.attempt());
        String host = host(event.url());
        if (host != null) {
            span.setAttribute(SERVER_ADDRESS, host);
        }
        return attempt(event, span).onTermination().invoke((done, failure, cancelled) -> Tracing.end(span, failure));
    }

    private static String host(String url) {
        try {
            return java.net.URI.create(url).getHost();
        } catch (RuntimeException malformed) {
            return null;
        }
    }

    /** Makes the attempt and records its outcome; with a span (tracing on), the outcome is also set on it. */
    private Uni<Void> attempt(Claimed event, Span span) {
        Uni<String> body = event.payload() != null
                ? Uni.createFrom().item(event.payload())
                : payloads.build(event.eventType(), event.orgId(), event.workflowId(), event.taskId());
        return body.chain(payload -> call.send(event, payload).map(result -> new Sent(payload, result)))
                .onFailure()
                .recoverWithItem(failure -> {
                    // Only what happens before the request is sent lands here; a failure to record an attempt that
                    // was made must not turn into another attempt.
                    Log.errorf(
                            failure,
                            "Webhook %s of workflow %s could not be attempted",
                            event.eventId(),
                            event.workflowId());
                    return new Sent(null, AttemptResult.ownFault("internal error"));
                })
                .chain(sent -> {
                    if (span != null) {
                        span.setAttribute(Tracing.OUTCOME, sent.result().status());
                        if (sent.result().code() != null) {
                            span.setAttribute(HTTP_STATUS, sent.result().code().longValue());
                        }
                        if (!"succeeded".equals(sent.result().status())) {
                            span.setStatus(
                                    StatusCode.ERROR,
                                    String.valueOf(sent.result().error()));
                        }
                    }
                    if (stopping.get() && !"succeeded".equals(sent.result().status())) {
                        // Shutting down cut this attempt short: leave it claimed, so that after the claim expires
                        // it is logged as interrupted and made again, rather than counted as a receiver's failure.
                        return Uni.createFrom().voidItem();
                    }
                    return outcomes.record(event, sent.payload(), sent.result())
                            .onFailure()
                            .retry()
                            .withBackOff(Duration.ofMillis(200), Duration.ofSeconds(5))
                            .atMost(8)
                            .invoke(this::wakeAt)
                            .onFailure()
                            .recoverWithItem(failure -> {
                                // The claim expires and the attempt is made again (logged `interrupted`): the one
                                // way a receiver may see an event twice, which is why it de-duplicates on its id.
                                Log.errorf(
                                        "Attempt %d of webhook %s (%s) could not be recorded: %s",
                                        event.attempt(),
                                        event.eventId(),
                                        sent.result().status(),
                                        failure.getMessage());
                                return null;
                            })
                            .replaceWithVoid();
                });
    }

    /**
     * Wakes up when a retry is due instead of waiting for the next poll, so retries keep to the schedule; the poll
     * remains the safety net (and serves the other replicas). The margin keeps a timer that fires a hair early from
     * finding the event not yet due. Far retries are left to the poll: no timer lives for hours.
     */
    private void wakeAt(OffsetDateTime nextAttempt) {
        if (nextAttempt == null) {
            return;
        }
        long wait = Math.max(
                0,
                Duration.between(OffsetDateTime.now(ZoneOffset.UTC), nextAttempt)
                        .toMillis());
        if (wait <= TIMER_HORIZON.toMillis()) {
            vertx.setTimer(WAKE_MARGIN_MS + wait, id -> wake());
        }
    }
}
