package dev.cascade.waterfall.providers.simulated;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import dev.cascade.config.CascadeConfig;
import dev.cascade.events.Contact;
import dev.cascade.events.Prospect;
import dev.cascade.waterfall.providers.Capability;
import dev.cascade.waterfall.providers.ProviderData;
import dev.cascade.waterfall.providers.ProviderOutcome;
import dev.cascade.waterfall.providers.ProviderQuery;

/** Simulated people discovery: a fixed, de-duplicated set of people per company. */
final class SimulatedDiscovery extends SimulatedProvider {

    SimulatedDiscovery(String name, CascadeConfig.Simulator config) {
        super(name, Set.of(Capability.PROSPECT), config);
    }

    @Override
    protected ProviderOutcome answer(Capability capability, ProviderQuery query) {
        Contact company = query.contact();
        String key = (company.companyDomain() != null ? company.companyDomain() : company.companyName())
                .toLowerCase(Locale.ROOT);
        int wanted =
                (int) Math.min(query.maxProspects(), 1 + Seeds.of(key, "count") % Math.max(1, config.maxProspects()));
        SimulatedPerson anchor =
                SimulatedPerson.of(new Contact(null, "x", "x", company.companyDomain(), company.companyName()));
        Map<String, Prospect> people = new LinkedHashMap<>();
        for (int i = 0; people.size() < wanted && i < wanted * 4; i++) {
            String seed = key + "#" + i;
            Contact person = new Contact(
                    null,
                    Seeds.pick(Seeds.FIRST_NAMES, seed, "first"),
                    Seeds.pick(Seeds.LAST_NAMES, seed, "last"),
                    anchor.domain(),
                    anchor.companyName());
            Prospect prospect = SimulatedPerson.of(person).prospect();
            people.putIfAbsent(prospect.fullName().toLowerCase(Locale.ROOT), prospect);
        }
        if (people.isEmpty()) {
            return new ProviderOutcome.Miss();
        }
        return new ProviderOutcome.Hit(ProviderData.discovered(new ArrayList<>(people.values()), anchor.company()));
    }
}
