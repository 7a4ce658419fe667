package dev.cascade.waterfall.providers;

import dev.cascade.events.Contact;

/** What a provider is asked: the contact, and for a verifier the email to check. */
public record ProviderQuery(Contact contact, String email, int maxProspects) {}
