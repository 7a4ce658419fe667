package dev.cascade.waterfall.providers.simulated;

import java.util.List;
import java.util.Set;

import dev.cascade.config.CascadeConfig;
import dev.cascade.waterfall.providers.Capability;
import dev.cascade.waterfall.providers.ProviderData;
import dev.cascade.waterfall.providers.ProviderOutcome;
import dev.cascade.waterfall.providers.ProviderQuery;

/** A simulated email finder; each instance knows a different share of people and guesses its own pattern. */
final class SimulatedEmailFinder extends SimulatedProvider {
    private final String pattern;

    SimulatedEmailFinder(String name, String pattern, CascadeConfig.Simulator config) {
        super(name, Set.of(Capability.EMAIL), config);
        this.pattern = pattern;
    }

    @Override
    protected ProviderOutcome answer(Capability capability, ProviderQuery query) {
        String identity = query.contact().identity();
        if (Seeds.unit(identity, name() + ":hit") >= config.emailHitRate()) {
            return new ProviderOutcome.Miss();
        }
        SimulatedPerson person = SimulatedPerson.of(query.contact());
        String local = person.localPart(pattern);
        if (local.isEmpty() || local.startsWith(".") || local.endsWith(".")) {
            // Names without ASCII letters give no address in this pattern.
            return new ProviderOutcome.Miss();
        }
        String email = local + "@" + person.domain();
        return new ProviderOutcome.Hit(ProviderData.emails(
                List.of(new ProviderData.EmailCandidate(email, null)), person.prospect(), person.company()));
    }
}
