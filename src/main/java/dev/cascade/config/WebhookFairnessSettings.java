package dev.cascade.config;

import io.smallrye.config.WithDefault;

/**
 * Fairness between organisations in webhook delivery (keys `cascade.webhooks.fairness.*`): one tenant's slow or
 * blackholed receiver, or a flood of per-contact events, must not take the sender's slots, its DNS lookups or the
 * outbox from everyone else. See docs/webhooks.md#fairness-between-organisations.
 */
public interface WebhookFairnessSettings {

    /**
     * Most attempts of one organisation in flight at once. A claim counts the organisation's live claims in the
     * outbox (`in_flight` rows whose claim has not expired), which are this process's running attempts and every
     * other sender's; it claims at most the difference, and claims round-robin across organisations, least loaded
     * first. Two senders claiming in the same instant may each fill the room once, so with N senders the cap can be
     * passed by at most (N - 1) times it, briefly.
     */
    @WithDefault("16")
    int inFlightPerOrganization();

    /**
     * Most undelivered webhook events (pending or in flight) one organisation may have. A per-contact event
     * (`enrichment.contact_completed`) that would go beyond it is recorded as `dropped` with reason `pending_cap`
     * and never sent. A workflow's `enrichment.completed` event is never dropped: it is always recorded (and counts
     * towards the cap), so exactly one completion webhook per workflow holds.
     */
    @WithDefault("10000")
    int pendingPerOrganization();

    /**
     * Most per-contact events (`per_contact_webhooks`) one organisation may have recorded for delivery in any sliding
     * hour. Events beyond it are recorded as `dropped` with reason `hourly_limit` and never sent; dropped events do
     * not count. 0 drops every per-contact event.
     */
    @WithDefault("10000")
    int contactEventsPerHour();

    /**
     * Most DNS lookups of one organisation's webhook hosts running at once in this process (the egress check before
     * every attempt, on a shared pool of 8 threads, each lookup bounded by 3 s). An attempt beyond it waits for its
     * organisation's turn, holding its claim; other organisations' lookups go ahead.
     */
    @WithDefault("2")
    int dnsLookupsPerOrganization();
}
