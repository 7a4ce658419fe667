package dev.cascade.waterfall.providers;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import io.smallrye.faulttolerance.api.CustomBackoffStrategy;

import dev.cascade.config.CascadeConfig.ProviderSettings;

/**
 * Exponential backoff with jitter, except where the vendor said how long to wait (a `Retry-After`, up to the cap).
 * One instance per guarded call. Calls held back by our own rate limit are not retried here: they already waited
 * for a permit as long as the provider allows.
 */
final class RetryBackoff implements CustomBackoffStrategy {
    private final ProviderSettings.Retry settings;
    private long next;

    RetryBackoff(ProviderSettings.Retry settings) {
        this.settings = settings;
    }

    @Override
    public void init(long initialDelayInMillis) {
        this.next = Math.max(1, initialDelayInMillis);
    }

    @Override
    public long nextDelayInMillis(Throwable cause) {
        long cap = settings.retryAfterCap().toMillis();
        if (cause instanceof ProviderFailureException failure
                && failure.failure().retryAfter() != null) {
            return Math.min(cap, failure.failure().retryAfter().toMillis());
        }
        long delay = Math.min(next, settings.maxDelay().toMillis());
        next = Math.min(next * 2, settings.maxDelay().toMillis());
        long jitter = settings.jitter().toMillis();
        if (jitter > 0) {
            delay += ThreadLocalRandom.current().nextLong(-jitter, jitter + 1);
        }
        return Math.max(0, delay);
    }

    /** Whether a failure is worth another attempt: retryable, and not asking us to wait longer than the cap. */
    static boolean retryable(Throwable failure, Duration retryAfterCap) {
        if (failure instanceof ProviderFailureException provider) {
            ProviderOutcome.Failure f = provider.failure();
            return f.retryable() && (f.retryAfter() == null || f.retryAfter().compareTo(retryAfterCap) <= 0);
        }
        // A timed-out call is not repeated: the next provider is asked instead of making the task wait twice.
        return false;
    }
}
