package dev.cascade.waterfall.providers;

import java.util.Set;

import io.smallrye.mutiny.Uni;

/** A data vendor the waterfall can ask. Implementations never fail the Uni: errors are {@code Failure}s. */
public interface Provider {

    /** Unique name, as used in configuration, `waterfall` overrides, `source` and traces. */
    String name();

    Set<Capability> capabilities();

    /** Credits this provider's answer costs us (for provenance and operator reports). */
    default double cost() {
        return 0;
    }

    Uni<ProviderOutcome> lookup(Capability capability, ProviderQuery query);
}
