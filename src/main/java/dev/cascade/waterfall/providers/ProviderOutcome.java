package dev.cascade.waterfall.providers;

import java.time.Duration;

/** A provider's answer: a hit, a miss (a normal answer, never a failure), or a failure. */
public sealed interface ProviderOutcome {

    /**
     * The provider found something.
     *
     * @param detail what the trace shows beside `hit` (the SMTP verifier's MX and reply codes), or null
     */
    record Hit(ProviderData data, String detail) implements ProviderOutcome {
        public Hit(ProviderData data) {
            this(data, null);
        }
    }

    /** The provider knows nothing about this contact. */
    record Miss() implements ProviderOutcome {}

    /**
     * The call could not be carried out.
     *
     * @param reason short and safe to show (`timeout`, `HTTP 503`, `connection refused`); never a secret
     * @param retryable whether asking again soon may succeed (connect errors, 5xx, throttling)
     * @param retryAfter how long the vendor asked us to wait (a `Retry-After`), or null
     * @param providerFault whether the failure says something about the provider's health and so counts against its
     *     circuit breaker; a request the vendor refused for this contact alone (a 400 on odd input) does not
     */
    record Failure(String reason, boolean retryable, Duration retryAfter, boolean providerFault)
            implements ProviderOutcome {

        public Failure(String reason, boolean retryable) {
            this(reason, retryable, null, true);
        }

        /** A transient fault of the provider (connect error, timeout, 5xx): retried, counts for the breaker. */
        public static Failure transientFault(String reason) {
            return new Failure(reason, true, null, true);
        }

        /** The vendor throttled us (429 and its equivalents): retried after {@code retryAfter} when given. */
        public static Failure throttled(String reason, Duration retryAfter) {
            return new Failure(reason, true, retryAfter, true);
        }

        /** The provider cannot answer until an operator acts (bad key, quota or credits exhausted, bad body). */
        public static Failure permanent(String reason) {
            return new Failure(reason, false, null, true);
        }

        /** The vendor refused this one request (invalid input for it): not retried, not the provider's fault. */
        public static Failure rejected(String reason) {
            return new Failure(reason, false, null, false);
        }
    }
}
