package dev.cascade.waterfall.providers;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;

import dev.cascade.config.CascadeConfig;
import dev.cascade.waterfall.providers.simulated.SimulatedProviders;

/** The configured providers by name, their order per capability, and the guarded way to call them. */
@ApplicationScoped
public class ProviderRegistry {
    private final Map<String, Provider> byName = new LinkedHashMap<>();
    private final CascadeConfig.Waterfall waterfall;

    public ProviderRegistry(CascadeConfig config, @Any Instance<Provider> beans) {
        this.waterfall = config.waterfall();
        if (config.simulator().enabled()) {
            SimulatedProviders.all(config.simulator()).forEach(p -> byName.put(p.name(), p));
        }
        for (Provider provider : beans) {
            byName.put(provider.name(), provider);
        }
        for (String name : configuredNames()) {
            if (!byName.containsKey(name)) {
                Log.warnf(
                        "Provider %s is named in the waterfall configuration but is not available; it is skipped",
                        name);
            }
        }
    }

    private List<String> configuredNames() {
        List<String> names = new ArrayList<>(waterfall.email());
        names.addAll(waterfall.phone());
        names.addAll(waterfall.prospect());
        names.add(waterfall.verify());
        return names;
    }

    /** True when {@code name} is an available provider with the capability. */
    public boolean supports(String name, Capability capability) {
        Provider provider = byName.get(name);
        return provider != null && provider.capabilities().contains(capability);
    }

    public Optional<Provider> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** Providers for a capability in waterfall order: the request's override when given, else the configured one. */
    public List<Provider> order(Capability capability, List<String> override) {
        List<String> names = override != null && !override.isEmpty() ? override : defaults(capability);
        List<Provider> providers = new ArrayList<>();
        for (String name : names) {
            if (supports(name, capability)) {
                providers.add(byName.get(name));
            }
        }
        return providers;
    }

    /** The verifier: the request's override when given, else the configured one; null when none is available. */
    public Provider verifier(String override) {
        String name = override != null ? override : waterfall.verify();
        return supports(name, Capability.VERIFY) ? byName.get(name) : null;
    }

    private List<String> defaults(Capability capability) {
        return switch (capability) {
            case EMAIL -> waterfall.email();
            case PHONE -> waterfall.phone();
            case PROSPECT -> waterfall.prospect();
            case VERIFY -> List.of(waterfall.verify());
        };
    }

    /**
     * Calls a provider under its time limit. The answer never fails: an exception or a timeout becomes a
     * {@code Failure} with a short reason, so one bad vendor only ever costs its own step.
     */
    public Uni<ProviderOutcome> call(Provider provider, Capability capability, ProviderQuery query) {
        return Uni.createFrom()
                .deferred(() -> provider.lookup(capability, query))
                .ifNoItem()
                .after(waterfall.providerTimeout())
                .recoverWithItem(() -> new ProviderOutcome.Failure("timeout", true))
                .onFailure()
                .recoverWithItem(failure -> {
                    Log.warnf(
                            "Provider %s failed: %s",
                            provider.name(), failure.getClass().getSimpleName());
                    return new ProviderOutcome.Failure("error", true);
                });
    }
}
