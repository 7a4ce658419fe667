package dev.cascade.waterfall.providers;

/** A call that could not have a permit of its provider's shared quota within `rate-limit.max-wait`. */
final class QuotaExceededException extends RuntimeException {
    QuotaExceededException() {
        super("rate limited", null, false, false);
    }
}
