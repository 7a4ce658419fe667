package dev.cascade.aggregation;

import java.util.Map;
import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;

import dev.cascade.config.CascadeConfig;
import dev.cascade.config.WebhookFairnessSettings;

/**
 * The caps on per-contact webhook events (`per_contact_webhooks`), applied where the events are recorded: in the
 * settle statement, beside the settlement. An event beyond its organisation's pending cap or hourly limit is recorded
 * `dropped` with the reason and never sent; this counts and logs what the statement dropped. The workflow's
 * `enrichment.completed` event is never subject to them.
 */
@ApplicationScoped
class ContactEventCaps {
    /** Why a per-contact event was dropped: the organisation's undelivered events reached the pending cap. */
    static final String PENDING_CAP = "pending_cap";
    /** Why a per-contact event was dropped: the organisation's per-contact events of the last hour reached the limit. */
    static final String HOURLY_LIMIT = "hourly_limit";

    private final WebhookFairnessSettings settings;
    private final Map<String, Counter> dropped;

    ContactEventCaps(CascadeConfig config, MeterRegistry meters) {
        this.settings = config.webhooks().fairness();
        this.dropped = Map.of(PENDING_CAP, counter(meters, PENDING_CAP), HOURLY_LIMIT, counter(meters, HOURLY_LIMIT));
    }

    private static Counter counter(MeterRegistry meters, String reason) {
        return Counter.builder("cascade.webhooks.dropped")
                .description("Per-contact webhook events recorded as dropped (never sent), by the cap that dropped"
                        + " them")
                .tag("event", "enrichment.contact_completed")
                .tag("reason", reason)
                .register(meters);
    }

    /** Parameter $10 of the settle statement. */
    int pendingPerOrganization() {
        return Math.max(0, settings.pendingPerOrganization());
    }

    /** Parameter $11 of the settle statement. */
    int contactEventsPerHour() {
        return Math.max(0, settings.contactEventsPerHour());
    }

    /** Counts and logs the `dropped` rows of a committed settle statement's answer. */
    void observe(RowSet<Row> rows) {
        for (Row row : rows) {
            if (!"dropped".equals(row.getString("kind"))) {
                continue;
            }
            String reason = row.getString("status");
            long count = row.getBigDecimal("charges").longValue();
            Counter counter = dropped.get(reason);
            if (counter != null) {
                counter.increment(count);
            }
            Log.warnf(
                    "Dropped %d per-contact webhook events of organisation %s (%s); they are recorded, never sent",
                    count, row.getUUID("org_id"), reason);
        }
    }
}
