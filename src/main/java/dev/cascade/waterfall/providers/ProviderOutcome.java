package dev.cascade.waterfall.providers;

/** A provider's answer: a hit, a miss (a normal answer, never a failure), or a failure. */
public sealed interface ProviderOutcome {

    /** The provider found something. */
    record Hit(ProviderData data) implements ProviderOutcome {}

    /** The provider knows nothing about this contact. */
    record Miss() implements ProviderOutcome {}

    /** The call could not be carried out; {@code reason} is short (`timeout`, `HTTP 503`). */
    record Failure(String reason, boolean retryable) implements ProviderOutcome {}
}
