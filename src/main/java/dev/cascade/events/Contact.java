package dev.cascade.events;

import java.util.Locale;

/** One normalised input contact (strings trimmed, empty strings absent, domain reduced to a hostname). */
public record Contact(String linkedinUrl, String firstName, String lastName, String companyDomain, String companyName) {

    /** The contact's identity for caching and simulation: LinkedIn slug, else first+last+domain/company. */
    public String identity() {
        if (linkedinUrl != null) {
            return "li:" + linkedinSlug();
        }
        String company = companyDomain != null ? companyDomain : companyName;
        return ("n:" + nullToEmpty(firstName) + "|" + nullToEmpty(lastName) + "|" + nullToEmpty(company))
                .toLowerCase(Locale.ROOT);
    }

    /** The profile slug of the LinkedIn URL (the path segment after `/in/`), lower-cased. */
    public String linkedinSlug() {
        if (linkedinUrl == null) {
            return null;
        }
        int at = linkedinUrl.indexOf("/in/");
        String rest = at < 0 ? linkedinUrl : linkedinUrl.substring(at + 4);
        int end = rest.indexOf('/');
        if (end >= 0) {
            rest = rest.substring(0, end);
        }
        int query = rest.indexOf('?');
        if (query >= 0) {
            rest = rest.substring(0, query);
        }
        return rest.toLowerCase(Locale.ROOT);
    }

    private static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }
}
