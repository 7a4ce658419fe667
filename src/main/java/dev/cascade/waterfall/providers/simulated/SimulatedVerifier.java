package dev.cascade.waterfall.providers.simulated;

import java.util.Locale;
import java.util.Set;

import dev.cascade.config.CascadeConfig;
import dev.cascade.waterfall.providers.Capability;
import dev.cascade.waterfall.providers.EmailStatus;
import dev.cascade.waterfall.providers.ProviderData;
import dev.cascade.waterfall.providers.ProviderOutcome;
import dev.cascade.waterfall.providers.ProviderQuery;

/** A simulated verifier: 70 % reliable, 15 % risky, 10 % unknown, 5 % invalid, fixed per address. */
final class SimulatedVerifier extends SimulatedProvider {

    SimulatedVerifier(String name, CascadeConfig.Simulator config) {
        super(name, Set.of(Capability.VERIFY), config);
    }

    @Override
    protected ProviderOutcome answer(Capability capability, ProviderQuery query) {
        double roll = Seeds.unit(query.email().toLowerCase(Locale.ROOT), "verify");
        EmailStatus status = roll < 0.70
                ? EmailStatus.RELIABLE
                : roll < 0.85 ? EmailStatus.RISKY : roll < 0.95 ? EmailStatus.UNKNOWN : EmailStatus.INVALID;
        return new ProviderOutcome.Hit(ProviderData.verified(status));
    }
}
