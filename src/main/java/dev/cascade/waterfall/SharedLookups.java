package dev.cascade.waterfall;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import io.smallrye.mutiny.Uni;

import dev.cascade.waterfall.providers.Capability;
import dev.cascade.waterfall.providers.GuardedProvider;
import dev.cascade.waterfall.providers.ProviderOutcome;
import dev.cascade.waterfall.providers.ProviderQuery;
import dev.cascade.waterfall.providers.ProviderRegistry;

/**
 * The vendor calls of one task that serve both its email and its phone waterfall (`full`): a vendor whose one lookup
 * answers both (PDL, Prospeo) and that both waterfalls name is called once, by whichever waterfall reaches it first,
 * and the other waterfall reads the same answer, so the vendor bills once. Every other call goes straight through.
 */
final class SharedLookups {
    private static final Set<Capability> EMAIL_AND_PHONE = EnumSet.of(Capability.EMAIL, Capability.PHONE);

    private final ProviderRegistry providers;
    private final Set<String> shared;
    private final Map<String, Uni<ProviderOutcome>> calls = new ConcurrentHashMap<>();

    private SharedLookups(ProviderRegistry providers, Set<String> shared) {
        this.providers = providers;
        this.shared = shared;
    }

    /** No call is shared (every type but `full`). */
    static SharedLookups none(ProviderRegistry providers) {
        return new SharedLookups(providers, Set.of());
    }

    /** Shares the vendors named by both waterfalls whose one lookup answers emails and phones alike. */
    static SharedLookups between(
            ProviderRegistry providers, List<GuardedProvider> emailFinders, List<GuardedProvider> phoneFinders) {
        Set<String> phones = phoneFinders.stream().map(GuardedProvider::name).collect(Collectors.toSet());
        Set<String> both = emailFinders.stream()
                .filter(p -> phones.contains(p.name()))
                .filter(p -> p.provider().sharedLookup().containsAll(EMAIL_AND_PHONE))
                .map(GuardedProvider::name)
                .collect(Collectors.toUnmodifiableSet());
        return new SharedLookups(providers, both);
    }

    /**
     * The provider's answer for the capability: for a shared vendor, the one lookup's answer (made now by the first
     * waterfall to ask, reused by the other) seen for this capability, a miss when it found nothing of this kind.
     */
    Uni<ProviderOutcome> call(GuardedProvider provider, Capability capability, ProviderQuery query) {
        if (!shared.contains(provider.name())) {
            return providers.call(provider, capability, query);
        }
        Uni<ProviderOutcome> once = calls.computeIfAbsent(
                provider.name(),
                name -> providers
                        .call(provider, capability, query.sharedAcrossCapabilities())
                        .memoize()
                        .indefinitely());
        return once.map(outcome -> forCapability(outcome, capability));
    }

    private static ProviderOutcome forCapability(ProviderOutcome outcome, Capability capability) {
        if (outcome instanceof ProviderOutcome.Hit hit) {
            boolean none = capability == Capability.EMAIL
                    ? hit.data().emails().isEmpty()
                    : hit.data().phones().isEmpty();
            return none ? new ProviderOutcome.Miss() : hit;
        }
        return outcome;
    }
}
