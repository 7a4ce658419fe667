package dev.cascade.support;

/**
 * A 429 refusal of a quota (not the per-minute rate limit, which the auth filter answers itself), with the seconds the
 * client should wait before trying again; the error mapper sends them as `Retry-After`.
 */
public class TooManyRequests extends ApiException {
    private final long retryAfterSeconds;

    public TooManyRequests(String detail, long retryAfterSeconds) {
        super(429, detail);
        this.retryAfterSeconds = Math.max(1, retryAfterSeconds);
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
