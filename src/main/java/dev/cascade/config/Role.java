package dev.cascade.config;

import java.util.Locale;

/**
 * What one gateway process does (`cascade.roles`). Every guarantee — no task lost, exactly one webhook, an exact
 * ledger — holds as long as each role runs in at least one process of a deployment.
 */
public enum Role {
    /** The HTTP API under `/api` (public and operator), intake, status, streams and exports; the intake sweeps. */
    API,
    /** The `enrichment.tasks` consumer and the provider waterfalls; the result-cache purge. */
    WATERFALL,
    /** The `enrichment.results` consumer that settles tasks; the `completed` lifecycle sweep; retention. */
    AGGREGATOR,
    /** The webhook sender, its claims and retries; the backlog gauges. */
    WEBHOOKS;

    /** The name as written in `cascade.roles`. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
