package dev.cascade.waterfall.providers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;

import dev.cascade.config.CascadeConfig;
import dev.cascade.config.CascadeConfig.ProviderSettings;
import dev.cascade.waterfall.providers.simulated.SimulatedProviders;

/**
 * Every configured provider behind its own guard, their order per capability, and the way to call them. Built once at
 * start from `cascade.providers.*` (one provider per name, built by the {@link ProviderFactory} of its `type`) and the
 * simulated set; a misconfigured provider stops the start with a message naming it.
 */
@ApplicationScoped
public class ProviderRegistry {
    /** Shared by every provider of this registry; made with the first one (the registry owns the meters). */
    private CallsInFlight inFlight;

    private final Map<String, GuardedProvider> byName = new LinkedHashMap<>();
    private final CascadeConfig.Waterfall waterfall;

    public ProviderRegistry(
            CascadeConfig config, @Any Instance<ProviderFactory> factories, VendorHttp http, MeterRegistry meters) {
        this.waterfall = config.waterfall();
        Map<String, ProviderFactory> byType = new LinkedHashMap<>();
        for (ProviderFactory factory : factories) {
            byType.put(factory.type(), factory);
        }
        if (config.simulator().enabled()) {
            for (Provider simulated : SimulatedProviders.all(config.simulator())) {
                register(simulated, config.providers().get(simulated.name()), meters);
            }
        }
        for (Map.Entry<String, ProviderSettings> entry : config.providers().entrySet()) {
            String name = entry.getKey();
            ProviderSettings settings = entry.getValue();
            String type = settings.type().orElse(name).toLowerCase(Locale.ROOT);
            if ("simulated".equals(type) || byName.containsKey(name)) {
                continue;
            }
            ProviderFactory factory = byType.get(type);
            if (factory == null) {
                throw new IllegalStateException("Provider " + name + " has type " + type + ", which no adapter builds;"
                        + " known types: " + byType.keySet() + " and simulated");
            }
            Provider provider;
            try {
                provider = factory.create(new ProviderContext(name, settings, apiKey(name, settings), http));
            } catch (IllegalArgumentException bad) {
                throw new IllegalStateException("Provider " + name + " is misconfigured: " + bad.getMessage(), bad);
            }
            register(provider, settings, meters);
        }
        for (String name : configuredNames()) {
            GuardedProvider provider = byName.get(name);
            if (provider == null) {
                Log.warnf(
                        "Provider %s is named in the waterfall configuration but does not exist; it is skipped", name);
            } else if (!provider.usable()) {
                Log.warnf(
                        "Provider %s is in the waterfall configuration but cannot be called (%s); it is skipped",
                        name,
                        provider.settings().enabled()
                                ? provider.provider().notReady().orElse("")
                                : "disabled");
            }
        }
    }

    private void register(Provider provider, ProviderSettings settings, MeterRegistry meters) {
        if (inFlight == null) {
            inFlight = new CallsInFlight(meters);
        }
        byName.put(provider.name(), new GuardedProvider(provider, settings, meters, inFlight));
    }

    private static String apiKey(String name, ProviderSettings settings) {
        Optional<String> key = settings.apiKey().map(String::trim).filter(k -> !k.isEmpty());
        if (key.isPresent()) {
            return key.get();
        }
        if (settings.apiKeyFile().isPresent()) {
            try {
                String fromFile = Files.readString(settings.apiKeyFile().get(), StandardCharsets.UTF_8)
                        .trim();
                return fromFile.isEmpty() ? null : fromFile;
            } catch (IOException unreadable) {
                throw new IllegalStateException(
                        "API key file of provider " + name + " cannot be read: "
                                + settings.apiKeyFile().get(),
                        unreadable);
            }
        }
        return null;
    }

    private List<String> configuredNames() {
        List<String> names = new ArrayList<>(waterfall.email());
        names.addAll(waterfall.phone());
        names.addAll(waterfall.prospect());
        names.add(waterfall.verify());
        return names;
    }

    /** True when {@code name} is a provider that has the capability and may be called (enabled and ready). */
    public boolean supports(String name, Capability capability) {
        GuardedProvider provider = byName.get(name);
        return provider != null
                && provider.usable()
                && provider.provider().capabilities().contains(capability);
    }

    public Optional<GuardedProvider> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** Every provider, usable or not, in registration order. */
    public Collection<GuardedProvider> all() {
        return byName.values();
    }

    /** Providers for a capability in waterfall order: the request's override when given, else the configured one. */
    public List<GuardedProvider> order(Capability capability, List<String> override) {
        List<String> names = override != null && !override.isEmpty() ? override : defaults(capability);
        List<GuardedProvider> providers = new ArrayList<>();
        for (String name : names) {
            if (supports(name, capability)) {
                providers.add(byName.get(name));
            }
        }
        return providers;
    }

    /** The verifier: the request's override when given, else the configured one; null when none is usable. */
    public GuardedProvider verifier(String override) {
        String name = override != null ? override : waterfall.verify();
        return supports(name, Capability.VERIFY) ? byName.get(name) : null;
    }

    /** The configured (default) order of a capability, usable providers or not. */
    public List<String> defaults(Capability capability) {
        return switch (capability) {
            case EMAIL -> waterfall.email();
            case PHONE -> waterfall.phone();
            case PROSPECT -> waterfall.prospect();
            case VERIFY -> List.of(waterfall.verify());
        };
    }

    /** Every provider with its state, for the operator. */
    public List<ProviderStatus> status() {
        List<ProviderStatus> all = new ArrayList<>();
        for (GuardedProvider guarded : byName.values()) {
            all.add(status(guarded));
        }
        return all;
    }

    private ProviderStatus status(GuardedProvider guarded) {
        Provider provider = guarded.provider();
        ProviderSettings settings = guarded.settings();
        Map<String, Integer> order = new LinkedHashMap<>();
        for (Capability capability : Capability.values()) {
            int at = defaults(capability).indexOf(provider.name());
            if (at >= 0) {
                order.put(capability.wire(), at + 1);
            }
        }
        String disabled = !settings.enabled()
                ? "disabled in configuration"
                : provider.notReady().orElse(null);
        ProviderSettings.Breaker breaker = settings.breaker();
        ProviderStatus.Guard guard = new ProviderStatus.Guard(
                settings.timeout().toMillis(),
                settings.retry().maxRetries(),
                settings.retry().delay().toMillis(),
                settings.retry().maxDelay().toMillis(),
                settings.retry().retryAfterCap().toMillis(),
                breaker.enabled()
                        ? new ProviderStatus.Breaker(
                                breaker.requestVolume(),
                                breaker.failureRatio(),
                                breaker.delay().toMillis(),
                                breaker.successThreshold())
                        : null,
                settings.bulkhead().limit(),
                settings.bulkhead().queue(),
                settings.rateLimit().limit().orElse(null),
                settings.rateLimit().limit().isPresent()
                        ? settings.rateLimit().window().toMillis()
                        : null);
        return new ProviderStatus(
                provider.name(),
                provider.type(),
                provider.capabilities().stream().sorted().map(Capability::wire).toList(),
                order,
                disabled == null,
                disabled,
                provider.cost(),
                guarded.circuitState(),
                guarded.counters(),
                guard);
    }

    /** Closes a provider's breaker; false when there is no such provider. */
    public boolean resetCircuit(String name) {
        GuardedProvider provider = byName.get(name);
        if (provider == null) {
            return false;
        }
        provider.resetCircuit();
        Log.infof("Circuit breaker of provider %s reset by the operator", name);
        return true;
    }

    /**
     * Calls a provider through its guard; never fails (see {@link GuardedProvider#call}). Every string of the outcome
     * is cleaned of what PostgreSQL refuses ({@link VendorText}): this is the one door vendor data comes in by.
     */
    public Uni<ProviderOutcome> call(GuardedProvider provider, Capability capability, ProviderQuery query) {
        return provider.call(capability, query).map(VendorText::clean);
    }
}
