package dev.cascade.webhooks;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.core.net.SocketAddress;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import io.vertx.mutiny.ext.web.codec.BodyCodec;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.cascade.aggregation.CompletionListeners.WorkflowsCompleted;
import dev.cascade.config.CascadeConfig;
import dev.cascade.config.Role;
import dev.cascade.config.RoleGuards;

/**
 * Delivers webhook events from the `webhook_events` outbox. Due events are claimed with {@code FOR UPDATE SKIP
 * LOCKED}, so any number of replicas share the work and no attempt is made twice; every attempt is a row of the
 * delivery log, and the next attempt's due time is kept in PostgreSQL, so the schedule survives restarts.
 */
@ApplicationScoped
public class WebhookSender {
    private static final int CLAIM_BATCH = 32;
    private static final int MAX_IN_FLIGHT = 128;
    private static final long WAKE_MARGIN_MS = 25;
    /** A receiver's `Retry-After` is honoured up to this (beyond the schedule's longest step). */
    private static final Duration MAX_RETRY_AFTER = Duration.ofHours(24);
    /** Retry timers are set only for retries due this soon; later ones are found by the poll (on any replica). */
    private static final Duration TIMER_HORIZON = Duration.ofMinutes(2);

    static final String CLAIM_SQL = """
            WITH due AS (
                SELECT id FROM webhook_events
                 WHERE (status = 'pending' AND next_attempt_at <= now())
                    OR (status = 'in_flight' AND locked_until < now())
                 ORDER BY next_attempt_at
                 LIMIT $1
                   FOR UPDATE SKIP LOCKED
            ), interrupted AS (
                UPDATE webhook_attempts a SET status = 'failed', error = 'interrupted'
                  FROM due WHERE a.event_id = due.id AND a.status = 'in_flight'
            ), claimed AS (
                UPDATE webhook_events e
                   SET status = 'in_flight', attempts = e.attempts + 1,
                       locked_until = now() + make_interval(secs => $2)
                  FROM due WHERE e.id = due.id
             RETURNING e.id, e.org_id, e.workflow_id, e.task_id, e.event_type, e.url, e.attempts, e.schedule_start,
                       e.payload
            ), logged AS (
                INSERT INTO webhook_attempts (id, event_id, workflow_id, attempt, status, attempted_at)
                SELECT gen_random_uuid(), id, workflow_id, attempts, 'in_flight', now() FROM claimed
             RETURNING id, event_id
            )
            SELECT c.*, l.id AS attempt_id FROM claimed c JOIN logged l ON l.event_id = c.id
            """;

    private final Pool pool;
    private final WebClient client;
    private final WebhookPayloads payloads;
    private final EgressPolicy egress;
    private final WebhookSigner signer;
    private final CascadeConfig.Webhooks config;
    private final Vertx vertx;
    private final MeterRegistry meters;
    private final AtomicBoolean claiming = new AtomicBoolean();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();
    /** Without the `webhooks` role this process never claims: a completion or a redelivery waits for a sender. */
    private final boolean sending;

    public WebhookSender(
            Pool pool,
            Vertx vertx,
            WebhookPayloads payloads,
            EgressPolicy egress,
            WebhookSigner signer,
            CascadeConfig config,
            MeterRegistry meters) {
        this.meters = meters;
        this.pool = pool;
        this.vertx = vertx;
        this.payloads = payloads;
        this.egress = egress;
        this.signer = signer;
        this.config = config.webhooks();
        this.sending = config.roles().has(Role.WEBHOOKS);
        this.client = WebClient.create(
                vertx,
                new WebClientOptions()
                        .setFollowRedirects(false)
                        .setConnectTimeout((int) this.config.timeout().toMillis())
                        .setUserAgent(this.config.userAgent())
                        .setMaxPoolSize(64));
    }

    void onShutdown(@Observes ShutdownEvent event) {
        stopping.set(true);
        client.close();
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
     * only: at most {@code MAX_IN_FLIGHT} attempts run at once per instance, and each finished attempt claims again,
     * so one slow receiver holds a slot, never the queue.
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
        claim(Math.min(room, CLAIM_BATCH))
                .subscribe()
                .with(
                        claimed -> {
                            for (Claimed event : claimed) {
                                inFlight.incrementAndGet();
                                attempt(event)
                                        .onTermination()
                                        .invoke(inFlight::decrementAndGet)
                                        .subscribe()
                                        .with(ignored -> wake(), failure -> {
                                            Log.warnf(
                                                    "Webhook %s attempt failed to complete: %s",
                                                    event.eventId(), failure.getMessage());
                                            wake();
                                        });
                            }
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

    private record Claimed(
            String eventId,
            UUID orgId,
            String workflowId,
            UUID taskId,
            String eventType,
            String url,
            int attempt,
            int scheduleStart,
            String payload,
            UUID attemptId) {}

    private Uni<List<Claimed>> claim(int limit) {
        return pool.withTransaction(conn -> conn.preparedQuery(CLAIM_SQL)
                        .execute(Tuple.of(limit, (double) config.claimTimeout().toSeconds())))
                .map(rows -> {
                    List<Claimed> claimed = new ArrayList<>();
                    for (Row row : rows) {
                        claimed.add(new Claimed(
                                row.getString("id"),
                                row.getUUID("org_id"),
                                row.getString("workflow_id"),
                                row.getUUID("task_id"),
                                row.getString("event_type"),
                                row.getString("url"),
                                row.getInteger("attempts"),
                                row.getInteger("schedule_start"),
                                row.getString("payload"),
                                row.getUUID("attempt_id")));
                    }
                    return claimed;
                });
    }

    /** What one attempt came to. */
    private record Result(
            String status, Integer code, String error, long durationMs, Duration retryAfter, boolean ownFault) {
        Result(String status, Integer code, String error, long durationMs, Duration retryAfter) {
            this(status, code, error, durationMs, retryAfter, false);
        }

        /** The attempt never reached the receiver because of a fault of ours: it does not use up a schedule slot. */
        static Result ownFault(String error) {
            return new Result("failed", null, error, 0, null, true);
        }
    }

    private record Sent(String payload, Result result) {}

    private Uni<Void> attempt(Claimed event) {
        Uni<String> body = event.payload() != null
                ? Uni.createFrom().item(event.payload())
                : payloads.build(event.eventType(), event.orgId(), event.workflowId(), event.taskId());
        return body.chain(payload -> send(event, payload).map(result -> new Sent(payload, result)))
                .onFailure()
                .recoverWithItem(failure -> {
                    // Only what happens before the request is sent lands here; a failure to record an attempt that
                    // was made must not turn into another attempt.
                    Log.errorf(
                            failure,
                            "Webhook %s of workflow %s could not be attempted",
                            event.eventId(),
                            event.workflowId());
                    return new Sent(null, Result.ownFault("internal error"));
                })
                .chain(sent -> {
                    if (stopping.get() && !"succeeded".equals(sent.result().status())) {
                        // Shutting down cut this attempt short: leave it claimed, so that after the claim expires
                        // it is logged as interrupted and made again, rather than counted as a receiver's failure.
                        return Uni.createFrom().voidItem();
                    }
                    return record(event, sent.payload(), sent.result())
                            .onFailure()
                            .retry()
                            .withBackOff(Duration.ofMillis(200), Duration.ofSeconds(5))
                            .atMost(8)
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
                            });
                });
    }

    private Uni<Result> send(Claimed event, String payload) {
        return egress.decide(event.url(), true).chain(decision -> {
            if (decision.refusal() != null) {
                Log.warnf(
                        "Webhook %s of workflow %s not sent: %s",
                        event.eventId(), event.workflowId(), decision.refusal());
                String error = EgressPolicy.UNKNOWN_HOST.equals(decision.refusal())
                        ? EgressPolicy.UNKNOWN_HOST
                        : "blocked by egress policy";
                return Uni.createFrom().item(new Result("failed", null, error, 0, null));
            }
            return post(event, payload, decision.address());
        });
    }

    /**
     * Posts the event. With a checked address the connection goes to that address (the URL still gives the Host
     * header and TLS server name), so a DNS answer that changes after the check cannot redirect it.
     */
    private Uni<Result> post(Claimed event, String payload, InetAddress address) {
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
                        return Uni.createFrom().item(Result.ownFault("signing failed"));
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
                            .recoverWithItem(
                                    failure -> new Result("failed", null, shortCause(failure), elapsed(started), null));
                });
    }

    private static SocketAddress pinned(String url, InetAddress address) {
        URI uri = URI.create(url);
        int port = uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
        return SocketAddress.inetSocketAddress(port, address.getHostAddress());
    }

    private Result classify(HttpResponse<Void> response, long started) {
        int code = response.statusCode();
        long duration = elapsed(started);
        if (code >= 200 && code < 300) {
            return new Result("succeeded", code, null, duration, null);
        }
        Duration retryAfter = null;
        if (code == 429 || code == 503) {
            retryAfter = parseRetryAfter(response.getHeader("Retry-After"));
        }
        return new Result("failed", code, "HTTP " + code, duration, retryAfter);
    }

    private Uni<Void> record(Claimed event, String payload, Result result) {
        Timer.builder("cascade.webhooks.attempts")
                .description("Webhook delivery attempts, by outcome")
                .tag("outcome", result.status())
                .register(meters)
                .record(result.durationMs(), TimeUnit.MILLISECONDS);
        List<Duration> schedule = config.schedule();
        // A redelivered event runs through the schedule again from its first retry; an attempt spoiled by our own
        // fault keeps its position (schedule_start moves on with it), so it can never exhaust an event.
        int position = event.attempt() - event.scheduleStart();
        String eventStatus;
        OffsetDateTime next = null;
        if ("succeeded".equals(result.status())) {
            eventStatus = "succeeded";
        } else if (result.ownFault()) {
            eventStatus = "pending";
            next = OffsetDateTime.now(ZoneOffset.UTC).plus(config.ownFaultRetry());
        } else if (result.code() != null && result.code() == 410) {
            eventStatus = "gone";
        } else if (position < schedule.size()) {
            Duration delay = schedule.get(position);
            if (result.retryAfter() != null && result.retryAfter().compareTo(delay) > 0) {
                delay = result.retryAfter();
            }
            eventStatus = "pending";
            next = OffsetDateTime.now(ZoneOffset.UTC).plus(delay);
        } else {
            eventStatus = "exhausted";
        }
        OffsetDateTime nextAttempt = next;
        // The event first, guarded by the claim (status and attempt number): a sender whose claim expired meanwhile
        // changes nothing, not even the attempt's log row, which the next claim has marked `interrupted`.
        return pool.withTransaction(conn -> conn.preparedQuery("UPDATE webhook_events SET status = $2,"
                                + " next_attempt_at = $3, locked_until = NULL, payload = coalesce(payload, $4),"
                                + " schedule_start = schedule_start + $6,"
                                + " finished_at = CASE WHEN $2 IN ('succeeded', 'gone', 'exhausted') THEN now() END"
                                + " WHERE id = $1 AND status = 'in_flight' AND attempts = $5")
                        .execute(Tuple.tuple()
                                .addString(event.eventId())
                                .addString(eventStatus)
                                .addOffsetDateTime(nextAttempt)
                                .addString(payload)
                                .addInteger(event.attempt())
                                .addInteger(result.ownFault() ? 1 : 0))
                        .chain(updated -> updated.rowCount() == 0
                                ? Uni.createFrom().item(false)
                                : conn.preparedQuery("UPDATE webhook_attempts SET status = $2,"
                                                + " response_status_code = $3, error = $4, duration_ms = $5,"
                                                + " next_attempt_at = $6 WHERE id = $1 AND status = 'in_flight'")
                                        .execute(Tuple.tuple()
                                                .addUUID(event.attemptId())
                                                .addString(result.status())
                                                .addInteger(result.code())
                                                .addString(result.error())
                                                .addInteger((int) result.durationMs())
                                                .addOffsetDateTime(nextAttempt))
                                        .replaceWith(true)))
                .invoke(recorded -> {
                    if (!recorded) {
                        Log.warnf(
                                "Attempt %d of webhook %s was taken over by another claim; its outcome (%s) is not"
                                        + " recorded",
                                event.attempt(), event.eventId(), result.status());
                        return;
                    }
                    if (!"pending".equals(eventStatus)) {
                        meters.counter("cascade.webhooks.events", "event", event.eventType(), "outcome", eventStatus)
                                .increment();
                    }
                    if ("exhausted".equals(eventStatus)) {
                        meters.counter("cascade.webhooks.exhausted", "event", event.eventType())
                                .increment();
                        Log.warnf(
                                "Webhook %s of workflow %s exhausted after %d attempts; results stay available by"
                                        + " polling",
                                event.eventId(), event.workflowId(), event.attempt());
                    }
                    Log.debugf(
                            "Webhook %s attempt %d: %s %s",
                            event.eventId(), event.attempt(), result.status(), result.code());
                    if (nextAttempt != null) {
                        // Wake up when the retry is due instead of waiting for the next poll, so retries keep
                        // to the schedule; the poll remains the safety net (and serves the other replicas). The
                        // margin keeps a timer that fires a hair early from finding the event not yet due. Far
                        // retries are left to the poll: no timer lives for hours.
                        long wait = Math.max(
                                0,
                                Duration.between(OffsetDateTime.now(ZoneOffset.UTC), nextAttempt)
                                        .toMillis());
                        if (wait <= TIMER_HORIZON.toMillis()) {
                            vertx.setTimer(WAKE_MARGIN_MS + wait, id -> wake());
                        }
                    }
                })
                .replaceWithVoid();
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
