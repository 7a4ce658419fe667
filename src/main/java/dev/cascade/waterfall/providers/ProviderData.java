package dev.cascade.waterfall.providers;

import java.util.List;

import dev.cascade.events.Company;
import dev.cascade.events.Prospect;

/**
 * What a provider found. Finders fill {@code emails} (with the status when the finder verified them itself) or
 * {@code phones}; verifiers fill {@code verification}; discovery fills {@code prospects}.
 */
public record ProviderData(
        List<EmailCandidate> emails,
        List<PhoneCandidate> phones,
        EmailStatus verification,
        Prospect prospect,
        Company company,
        List<Prospect> prospects) {

    /** An email a finder returned; {@code status} is null when the finder did not verify it. */
    public record EmailCandidate(String email, EmailStatus status) {}

    /** A phone a finder returned, in E.164, with its line type. */
    public record PhoneCandidate(String number, String lineType) {}

    public static ProviderData emails(List<EmailCandidate> emails, Prospect prospect, Company company) {
        return new ProviderData(emails, List.of(), null, prospect, company, List.of());
    }

    public static ProviderData phones(List<PhoneCandidate> phones) {
        return new ProviderData(List.of(), phones, null, null, null, List.of());
    }

    public static ProviderData verified(EmailStatus status) {
        return new ProviderData(List.of(), List.of(), status, null, null, List.of());
    }

    public static ProviderData discovered(List<Prospect> prospects, Company company) {
        return new ProviderData(List.of(), List.of(), null, null, company, prospects);
    }
}
