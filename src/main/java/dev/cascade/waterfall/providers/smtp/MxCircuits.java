package dev.cascade.waterfall.providers.smtp;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * A circuit per MX host, beside the provider's own breaker: after {@code failures} conversations in a row that could
 * not be held (no connection, timeout, dropped, 421, TLS failure) the MX is left alone for {@code delay}; then one
 * trial conversation decides whether it closes again. A refusal (5xx before RCPT) is an answer, not a fault, and so
 * is every RCPT verdict. One unhealthy MX therefore never trips the whole verifier, and a dead one is not hammered.
 */
final class MxCircuits {
    private final int failures;
    private final long delayNanos;
    private final Cache<String, Circuit> circuits =
            Caffeine.newBuilder().expireAfterAccess(1, TimeUnit.HOURS).build();

    MxCircuits(int failures, Duration delay) {
        this.failures = Math.max(1, failures);
        this.delayNanos = delay.toNanos();
    }

    private static final class Circuit {
        private int consecutive;
        private long openUntil;
        private boolean open;
        private boolean trial;
    }

    /** Whether a conversation with this MX may start now (an open circuit past its delay lets one trial through). */
    boolean allow(String mx) {
        Circuit circuit = circuits.get(mx, k -> new Circuit());
        synchronized (circuit) {
            if (!circuit.open) {
                return true;
            }
            if (System.nanoTime() < circuit.openUntil || circuit.trial) {
                return false;
            }
            circuit.trial = true;
            return true;
        }
    }

    void success(String mx) {
        Circuit circuit = circuits.get(mx, k -> new Circuit());
        synchronized (circuit) {
            circuit.consecutive = 0;
            circuit.open = false;
            circuit.trial = false;
        }
    }

    void failure(String mx) {
        Circuit circuit = circuits.get(mx, k -> new Circuit());
        synchronized (circuit) {
            circuit.consecutive++;
            if (circuit.trial || circuit.consecutive >= failures) {
                circuit.open = true;
                circuit.trial = false;
                circuit.openUntil = System.nanoTime() + delayNanos;
            }
        }
    }

    /** `closed`, `open` or `half_open` (a trial is due or under way). */
    String state(String mx) {
        Circuit circuit = circuits.getIfPresent(mx);
        if (circuit == null) {
            return "closed";
        }
        synchronized (circuit) {
            if (!circuit.open) {
                return "closed";
            }
            return circuit.trial || System.nanoTime() >= circuit.openUntil ? "half_open" : "open";
        }
    }
}
