package dev.cascade.waterfall.providers;

/** Carries a provider's {@link ProviderOutcome.Failure} through its fault-tolerance guard (no stack trace). */
final class ProviderFailureException extends RuntimeException {
    private final transient ProviderOutcome.Failure failure;

    ProviderFailureException(ProviderOutcome.Failure failure) {
        super(failure.reason(), null, false, false);
        this.failure = failure;
    }

    ProviderOutcome.Failure failure() {
        return failure;
    }
}
