package dev.cascade.waterfall.providers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
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

    private final QuotaLeases quotas;
    private final Map<String, GuardedProvider> byName = new LinkedHashMap<>();
    /** The default order of each capability: the configured one, else derived at start (see {@link #derived}). */
    private final Map<Capability, List<String>> defaults = new EnumMap<>(Capability.class);

    public ProviderRegistry(
            CascadeConfig config,
            @Any Instance<ProviderFactory> factories,
            VendorHttp http,
            MeterRegistry meters,
            QuotaLeases quotas) {
        this.quotas = quotas;
        CascadeConfig.Waterfall waterfall = config.waterfall();
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
        boolean simulator = config.simulator().enabled();
        defaults.put(Capability.EMAIL, waterfall.email().orElseGet(() -> derived(Capability.EMAIL, simulator)));
        defaults.put(Capability.PHONE, waterfall.phone().orElseGet(() -> derived(Capability.PHONE, simulator)));
        defaults.put(
                Capability.PROSPECT, waterfall.prospect().orElseGet(() -> derived(Capability.PROSPECT, simulator)));
        defaults.put(
                Capability.VERIFY,
                waterfall
                        .verify()
                        .map(String::trim)
                        .filter(name -> !name.isEmpty())
                        .map(List::of)
                        .orElseGet(() -> derived(Capability.VERIFY, simulator).stream()
                                .limit(1)
                                .toList()));
        for (Capability capability : Capability.values()) {
            Log.infof("Default %s waterfall: %s", capability.wire(), defaults.get(capability));
        }
        for (String name : configuredNames(waterfall)) {
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
        byName.put(provider.name(), new GuardedProvider(provider, settings, meters, inFlight, quotas));
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

    /** The names an operator wrote into the waterfall settings (a derived order holds only usable providers). */
    private static List<String> configuredNames(CascadeConfig.Waterfall waterfall) {
        List<String> names = new ArrayList<>(waterfall.email().orElse(List.of()));
        names.addAll(waterfall.phone().orElse(List.of()));
        names.addAll(waterfall.prospect().orElse(List.of()));
        waterfall.verify().ifPresent(names::add);
        return names;
    }

    /**
     * The order of a capability nobody configured. With the simulator on (local and test profiles only): the
     * simulated providers, as before. Otherwise only providers that can be called (a vendor with its API key, an
     * enabled built-in verifier, a declarative provider), cheapest first and then by name, so an unconfigured
     * deployment names no provider at all and never serves invented data.
     */
    private List<String> derived(Capability capability, boolean simulator) {
        if (simulator) {
            return byName.values().stream()
                    .map(GuardedProvider::provider)
                    .filter(p -> "simulated".equals(p.type()))
                    .filter(p -> p.capabilities().contains(capability))
                    .map(Provider::name)
                    .toList();
        }
        return byName.values().stream()
                .filter(GuardedProvider::usable)
                .map(GuardedProvider::provider)
                .filter(p -> !"simulated".equals(p.type()))
                .filter(p -> p.capabilities().contains(capability))
                .sorted(Comparator.comparingDouble(Provider::cost).thenComparing(Provider::name))
                .map(Provider::name)
                .toList();
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
        List<String> configured = defaults.get(Capability.VERIFY);
        String name = override != null ? override : configured.isEmpty() ? null : configured.get(0);
        return name != null && supports(name, Capability.VERIFY) ? byName.get(name) : null;
    }

    /** The configured (default) order of a capability, usable providers or not. */
    public List<String> defaults(Capability capability) {
        return defaults.get(capability);
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
                guarded.latency(),
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
