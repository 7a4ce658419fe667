package dev.cascade.waterfall.providers;

import java.util.List;
import java.util.Map;

/**
 * A provider as the operator sees it (`GET /api/v1/admin/providers`): what it is, where it sits in each waterfall,
 * whether it can be called, its breaker's state now, its counters and call latency since start and its guard's
 * settings. Never its credentials.
 */
public record ProviderStatus(
        String name,
        String type,
        List<String> capabilities,
        Map<String, Integer> order,
        boolean enabled,
        String disabledReason,
        double cost,
        String circuitState,
        GuardedProvider.Counters counters,
        GuardedProvider.Latency latency,
        Guard guard) {

    /** The guard's settings, in milliseconds. */
    public record Guard(
            long timeoutMs,
            int maxRetries,
            long retryDelayMs,
            long retryMaxDelayMs,
            long retryAfterCapMs,
            Breaker breaker,
            int bulkheadLimit,
            int bulkheadQueue,
            Integer rateLimit,
            Long rateLimitWindowMs) {}

    /** The breaker's settings (null when the provider has none). */
    public record Breaker(int requestVolume, double failureRatio, long delayMs, int successThreshold) {}
}
