package dev.cascade.config;

import java.time.Duration;

import io.smallrye.config.WithDefault;

/**
 * Retention (`cascade.retention.*`): how long finished workflows are kept with their tasks (the leads of the DEFAULT
 * list), webhook events and delivery log, and how the job that deletes them paces itself. The credit ledger is never
 * deleted. Idempotency keys follow `cascade.accounts.idempotency-retention`, cached results `cascade.cache.retention`.
 */
public interface RetentionSettings {

    /** Whether the retention job runs (in processes with the `aggregator` role). */
    @WithDefault("true")
    boolean enabled();

    /**
     * How long a workflow is kept after it finished (its `completed_at`), with its tasks, leads, webhook events and
     * delivery attempts. A workflow that still holds credits or whose webhook is still being delivered is kept.
     */
    @WithDefault("30d")
    Duration workflows();

    /** How often the job runs. */
    @WithDefault("10m")
    Duration interval();

    /**
     * Workflows deleted per transaction (each with up to 250 tasks): small enough that no batch holds its row locks
     * for long.
     */
    @WithDefault("100")
    int batchSize();

    /** Most batches per run; what is left waits for the next run. */
    @WithDefault("50")
    int maxBatches();
}
