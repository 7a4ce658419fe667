package dev.cascade.waterfall.providers;

import java.util.Optional;
import java.util.Set;

import io.smallrye.mutiny.Uni;

/**
 * A data vendor the waterfall can ask. Implementations never fail the Uni: errors are {@code Failure}s, and "nothing
 * known" is a {@code Miss}. Calls reach a provider only through its guard (see {@link ProviderRegistry}).
 */
public interface Provider {

    /** Unique name, as used in configuration, `waterfall` overrides, `source` and traces. */
    String name();

    /** The adapter type (`hunter`, `http`, `simulated`, …). */
    default String type() {
        return "custom";
    }

    Set<Capability> capabilities();

    /** Vendor credits one answer costs us (for provenance and operator reports). */
    default double cost() {
        return 0;
    }

    /**
     * Why the provider cannot be called although configured (typically "no API key"); empty when it can. A provider
     * that is not ready is listed as disabled and never called.
     */
    default Optional<String> notReady() {
        return Optional.empty();
    }

    /**
     * The capabilities one lookup of this vendor can answer together (PDL's person record holds emails and phones;
     * Prospeo's enrichment with the mobile asked returns the email too). When a task wants several of them from this
     * provider, the waterfall asks once with {@link ProviderQuery#shared()} and every capability uses that answer, so
     * the vendor bills once. Empty (the default): each capability is its own request.
     */
    default Set<Capability> sharedLookup() {
        return Set.of();
    }

    Uni<ProviderOutcome> lookup(Capability capability, ProviderQuery query);
}
