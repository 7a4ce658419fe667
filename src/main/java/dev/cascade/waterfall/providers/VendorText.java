package dev.cascade.waterfall.providers;

import java.util.ArrayList;
import java.util.List;

import dev.cascade.events.Company;
import dev.cascade.events.Prospect;
import dev.cascade.support.Text;

/**
 * Cleans every string of a provider's outcome of what PostgreSQL refuses to store ({@link Text#storable}). Applied
 * once, where outcomes enter the waterfall ({@link ProviderRegistry#call}), so every adapter is covered, the
 * declarative ones and any added later: a vendor that answers a NUL or a lone surrogate can then never make a result
 * the database refuses, which would leave its task unsettled.
 */
final class VendorText {
    private VendorText() {}

    static ProviderOutcome clean(ProviderOutcome outcome) {
        if (outcome instanceof ProviderOutcome.Hit hit) {
            return new ProviderOutcome.Hit(clean(hit.data()), Text.storable(hit.detail()));
        }
        if (outcome instanceof ProviderOutcome.Failure failure) {
            return new ProviderOutcome.Failure(
                    Text.storable(failure.reason()),
                    failure.retryable(),
                    failure.retryAfter(),
                    failure.providerFault());
        }
        return outcome;
    }

    static ProviderData clean(ProviderData data) {
        if (data == null) {
            return null;
        }
        List<ProviderData.EmailCandidate> emails = null;
        if (data.emails() != null) {
            emails = new ArrayList<>(data.emails().size());
            for (ProviderData.EmailCandidate email : data.emails()) {
                emails.add(
                        email == null
                                ? null
                                : new ProviderData.EmailCandidate(
                                        Text.storable(email.email()), email.status(), email.verified()));
            }
        }
        List<ProviderData.PhoneCandidate> phones = null;
        if (data.phones() != null) {
            phones = new ArrayList<>(data.phones().size());
            for (ProviderData.PhoneCandidate phone : data.phones()) {
                phones.add(
                        phone == null
                                ? null
                                : new ProviderData.PhoneCandidate(
                                        Text.storable(phone.number()),
                                        Text.storable(phone.lineType()),
                                        Text.storable(phone.region())));
            }
        }
        List<Prospect> prospects = null;
        if (data.prospects() != null) {
            prospects = new ArrayList<>(data.prospects().size());
            for (Prospect prospect : data.prospects()) {
                prospects.add(clean(prospect));
            }
        }
        return new ProviderData(
                emails, phones, data.verification(), clean(data.prospect()), clean(data.company()), prospects);
    }

    private static Prospect clean(Prospect p) {
        return p == null
                ? null
                : new Prospect(
                        Text.storable(p.firstName()),
                        Text.storable(p.lastName()),
                        Text.storable(p.fullName()),
                        Text.storable(p.title()),
                        Text.storable(p.linkedinUrl()),
                        Text.storable(p.location()));
    }

    private static Company clean(Company c) {
        return c == null
                ? null
                : new Company(
                        Text.storable(c.name()),
                        Text.storable(c.domain()),
                        Text.storable(c.industry()),
                        c.employeeCount());
    }
}
