package dev.cascade.waterfall.providers.simulated;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import dev.cascade.config.CascadeConfig;
import dev.cascade.waterfall.providers.Capability;
import dev.cascade.waterfall.providers.ProviderData;
import dev.cascade.waterfall.providers.ProviderOutcome;
import dev.cascade.waterfall.providers.ProviderQuery;

/** A simulated phone finder: one or two valid US numbers in E.164 with a line type, fixed per contact. */
final class SimulatedPhoneFinder extends SimulatedProvider {

    SimulatedPhoneFinder(String name, CascadeConfig.Simulator config) {
        super(name, Set.of(Capability.PHONE), config);
    }

    @Override
    protected ProviderOutcome answer(Capability capability, ProviderQuery query) {
        String identity = query.contact().identity();
        if (Seeds.unit(identity, name() + ":hit") >= config.phoneHitRate()) {
            return new ProviderOutcome.Miss();
        }
        int count = Seeds.unit(identity, name() + ":count") < 0.3 ? 2 : 1;
        List<ProviderData.PhoneCandidate> phones = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String salt = name() + ":" + i;
            String area = Seeds.pick(Seeds.AREA_CODES, identity, salt + ":area");
            long exchange = 200 + Seeds.of(identity, salt + ":exchange") % 800;
            long line = Seeds.of(identity, salt + ":line") % 10000;
            String number = String.format("+1%s%03d%04d", area, exchange, line);
            double kind = Seeds.unit(identity, salt + ":type");
            String type = kind < 0.7 ? "mobile" : kind < 0.9 ? "landline" : "voip";
            phones.add(new ProviderData.PhoneCandidate(number, type));
        }
        return new ProviderOutcome.Hit(ProviderData.phones(phones));
    }
}
