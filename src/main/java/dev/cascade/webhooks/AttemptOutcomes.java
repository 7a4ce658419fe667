package dev.cascade.webhooks;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.cascade.config.CascadeConfig;

/**
 * Records what an attempt came to: the event's new state (delivered, gone, exhausted, or the next attempt's due
 * time on the schedule) and the attempt's log row, in one transaction guarded by the claim.
 */
@ApplicationScoped
class AttemptOutcomes {
    private final Pool pool;
    private final CascadeConfig.Webhooks config;
    private final MeterRegistry meters;

    AttemptOutcomes(Pool pool, CascadeConfig config, MeterRegistry meters) {
        this.pool = pool;
        this.config = config.webhooks();
        this.meters = meters;
        // Registered at zero, so an alert on increase() sees the first exhausted event (a counter that appears at 1
        // has no increase to show).
        for (String event : List.of("enrichment.completed", "enrichment.contact_completed")) {
            meters.counter("cascade.webhooks.exhausted", "event", event);
        }
    }

    /**
     * Records the attempt; answers when the next attempt is due, or null when there is none (the event is done, or
     * another claim took it over and this outcome is not recorded).
     */
    Uni<OffsetDateTime> record(Claimed event, String payload, AttemptResult result) {
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
                .map(recorded -> {
                    if (!recorded) {
                        Log.warnf(
                                "Attempt %d of webhook %s was taken over by another claim; its outcome (%s) is not"
                                        + " recorded",
                                event.attempt(), event.eventId(), result.status());
                        return null;
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
                    return nextAttempt;
                });
    }
}
