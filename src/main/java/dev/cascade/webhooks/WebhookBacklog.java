package dev.cascade.webhooks;

import java.util.concurrent.atomic.AtomicLong;
import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;

import dev.cascade.config.RoleGuards;

/**
 * The delivery backlog as gauges, read from the outbox every 15 s: events due now and not yet claimed (a growing
 * number means senders cannot keep up or receivers are slow), events waiting for a later retry, events in flight.
 */
@ApplicationScoped
class WebhookBacklog {
    private final Pool pool;
    private final AtomicLong due = new AtomicLong();
    private final AtomicLong scheduled = new AtomicLong();
    private final AtomicLong inFlight = new AtomicLong();

    WebhookBacklog(Pool pool, MeterRegistry meters) {
        this.pool = pool;
        Gauge.builder("cascade.webhooks.backlog", due, AtomicLong::get)
                .description("Webhook events by delivery state: due now, scheduled for a later retry, in flight")
                .tag("state", "due")
                .register(meters);
        Gauge.builder("cascade.webhooks.backlog", scheduled, AtomicLong::get)
                .description("Webhook events by delivery state: due now, scheduled for a later retry, in flight")
                .tag("state", "scheduled")
                .register(meters);
        Gauge.builder("cascade.webhooks.backlog", inFlight, AtomicLong::get)
                .description("Webhook events by delivery state: due now, scheduled for a later retry, in flight")
                .tag("state", "in_flight")
                .register(meters);
    }

    @Scheduled(
            every = "15s",
            delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = RoleGuards.NotWebhooks.class)
    Uni<Void> refresh() {
        return pool.query("SELECT count(*) FILTER (WHERE status = 'pending' AND next_attempt_at <= now()) AS due,"
                        + " count(*) FILTER (WHERE status = 'pending' AND next_attempt_at > now()) AS scheduled,"
                        + " count(*) FILTER (WHERE status = 'in_flight') AS in_flight"
                        + " FROM webhook_events WHERE status IN ('pending', 'in_flight')")
                .execute()
                .invoke(rows -> {
                    for (Row row : rows) {
                        due.set(row.getLong("due"));
                        scheduled.set(row.getLong("scheduled"));
                        inFlight.set(row.getLong("in_flight"));
                    }
                })
                .replaceWithVoid()
                .onFailure()
                .recoverWithItem(failure -> {
                    Log.debugf("Webhook backlog not read: %s", failure.getMessage());
                    return null;
                });
    }
}
