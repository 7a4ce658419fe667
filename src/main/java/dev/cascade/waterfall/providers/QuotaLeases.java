package dev.cascade.waterfall.providers;

import io.smallrye.mutiny.Uni;

/**
 * Where the permits of vendor quotas come from: one budget per provider for every gateway process together (the
 * database, {@code dev.cascade.waterfall.ProviderQuotaLeases}), and a timer to wait for a permit's moment.
 */
public interface QuotaLeases {
    /**
     * Leases up to {@code wanted} permits of {@code provider}, spaced {@code spacingMs} apart, none due later than
     * {@code horizonMs} from now.
     */
    Uni<Lease> lease(String provider, int wanted, double spacingMs, double horizonMs);

    /** Runs {@code action} after {@code delayMs} (at least 1 ms). */
    void later(long delayMs, Runnable action);

    /**
     * What a lease got: {@code granted} permits, the first due in {@code firstInMs} (0 or more, database clock) and
     * each next one a spacing later; when none was granted, {@code firstInMs} is how far away the next free one is.
     * {@code firstAtMs} is that moment on the database's clock (epoch milliseconds). {@code sentNanos} is when the
     * statement left on a connection already held ({@link System#nanoTime()}; 0 when unknown), so time spent waiting
     * for a pooled connection does not count against a permit's lateness.
     */
    record Lease(int granted, double firstInMs, double firstAtMs, long sentNanos) {
        public Lease(int granted, double firstInMs, double firstAtMs) {
            this(granted, firstInMs, firstAtMs, 0L);
        }
    }
}
