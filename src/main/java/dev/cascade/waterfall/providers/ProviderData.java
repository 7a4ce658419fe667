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

    /**
     * An email a finder returned.
     *
     * @param status the finder's verdict mapped to the gateway's statuses (VENDORS.md §8), or null when it gave none
     * @param verified whether the finder itself verified the address (an SMTP check); unverified candidates go to
     *     the verifier, whose verdict then replaces {@code status}
     */
    public record EmailCandidate(String email, EmailStatus status, boolean verified) {
        /** A candidate the finder verified when it gives a status, and did not when {@code status} is null. */
        public EmailCandidate(String email, EmailStatus status) {
            this(email, status, status != null);
        }
    }

    /**
     * A phone a finder returned, as the vendor wrote it (the waterfall normalises it to E.164 with libphonenumber).
     *
     * @param lineType the vendor's own typing (`mobile`, `landline`, `voip`), or null; used where the numbering
     *     plan cannot tell (North American numbers are "fixed line or mobile")
     * @param region the ISO country the vendor placed the number in, or null
     */
    public record PhoneCandidate(String number, String lineType, String region) {
        public PhoneCandidate(String number, String lineType) {
            this(number, lineType, null);
        }
    }

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
