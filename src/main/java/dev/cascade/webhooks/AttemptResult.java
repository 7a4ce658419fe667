package dev.cascade.webhooks;

import java.time.Duration;

/** What one attempt came to. */
record AttemptResult(
        String status, Integer code, String error, long durationMs, Duration retryAfter, boolean ownFault) {
    AttemptResult(String status, Integer code, String error, long durationMs, Duration retryAfter) {
        this(status, code, error, durationMs, retryAfter, false);
    }

    /** The attempt never reached the receiver because of a fault of ours: it does not use up a schedule slot. */
    static AttemptResult ownFault(String error) {
        return new AttemptResult("failed", null, error, 0, null, true);
    }
}
