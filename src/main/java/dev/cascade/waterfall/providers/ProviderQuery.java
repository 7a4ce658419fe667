package dev.cascade.waterfall.providers;

import dev.cascade.events.Contact;

/**
 * What a provider is asked: the contact, and for a verifier the email to check.
 *
 * @param shared whether one answer is to serve every capability in {@link Provider#sharedLookup()} (the waterfall of
 *     `full` asks such a vendor once for both email and phone): the provider then asks for all of them and answers a
 *     hit carrying whatever it found for any, a miss only when it found nothing for all
 */
public record ProviderQuery(Contact contact, String email, int maxProspects, boolean shared) {

    public ProviderQuery(Contact contact, String email, int maxProspects) {
        this(contact, email, maxProspects, false);
    }

    /** The same question, asked once for every capability the provider's one lookup answers. */
    public ProviderQuery sharedAcrossCapabilities() {
        return new ProviderQuery(contact, email, maxProspects, true);
    }
}
