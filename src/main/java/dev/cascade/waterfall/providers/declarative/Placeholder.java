package dev.cascade.waterfall.providers.declarative;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.cascade.events.Contact;
import dev.cascade.waterfall.providers.ProviderQuery;

/** The values a declarative template may name, written `{first_name}` and so on. */
enum Placeholder {
    FIRST_NAME("first_name"),
    LAST_NAME("last_name"),
    FULL_NAME("full_name"),
    COMPANY_DOMAIN("company_domain"),
    COMPANY_NAME("company_name"),
    LINKEDIN_URL("linkedin_url"),
    EMAIL("email"),
    MAX_PROSPECTS("max_prospects"),
    API_KEY("api_key");

    private static final Map<String, Placeholder> BY_TOKEN =
            Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(p -> p.token, Function.identity()));

    private final String token;

    Placeholder(String token) {
        this.token = token;
    }

    /** The name between the braces. */
    String token() {
        return token;
    }

    /** The placeholder called {@code token}, or null. */
    static Placeholder byToken(String token) {
        return BY_TOKEN.get(token);
    }

    /** Every token, for error messages. */
    static String known() {
        return Arrays.stream(values()).map(p -> "{" + p.token + "}").collect(Collectors.joining(" "));
    }

    /** This placeholder's value for one lookup, or null when the query does not have it. */
    String value(ProviderQuery query, String apiKey) {
        Contact contact = query.contact();
        return switch (this) {
            case FIRST_NAME -> contact == null ? null : contact.firstName();
            case LAST_NAME -> contact == null ? null : contact.lastName();
            case FULL_NAME -> contact == null ? null : fullName(contact);
            case COMPANY_DOMAIN -> contact == null ? null : contact.companyDomain();
            case COMPANY_NAME -> contact == null ? null : contact.companyName();
            case LINKEDIN_URL -> contact == null ? null : contact.linkedinUrl();
            case EMAIL -> query.email();
            case MAX_PROSPECTS -> Integer.toString(Math.max(0, query.maxProspects()));
            case API_KEY -> apiKey;
        };
    }

    private static String fullName(Contact contact) {
        if (contact.firstName() == null) {
            return contact.lastName();
        }
        return contact.lastName() == null ? contact.firstName() : contact.firstName() + " " + contact.lastName();
    }
}
