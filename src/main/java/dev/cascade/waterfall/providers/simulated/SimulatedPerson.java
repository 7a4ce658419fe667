package dev.cascade.waterfall.providers.simulated;

import java.util.Locale;

import dev.cascade.events.Company;
import dev.cascade.events.Contact;
import dev.cascade.events.Prospect;

/** The person a simulated vendor "knows" behind a contact: derived from the contact, filled in deterministically. */
record SimulatedPerson(String firstName, String lastName, String domain, String companyName, Prospect prospect) {

    static SimulatedPerson of(Contact contact) {
        String identity = contact.identity();
        String first = contact.firstName();
        String last = contact.lastName();
        if ((first == null || last == null) && contact.linkedinSlug() != null) {
            String[] parts = contact.linkedinSlug().split("-");
            if (parts.length >= 2 && isName(parts[0]) && isName(parts[1])) {
                first = capitalise(parts[0]);
                last = capitalise(parts[1]);
            } else if (parts.length >= 1) {
                // "janedoe": a known first name followed by the rest.
                String slug = parts[0];
                for (String name : Seeds.SLUG_FIRST_NAMES) {
                    if (slug.length() > name.length() + 1 && slug.startsWith(name) && isName(slug)) {
                        first = capitalise(name);
                        last = capitalise(slug.substring(name.length()));
                        break;
                    }
                }
            }
        }
        if (first == null) {
            first = Seeds.pick(Seeds.FIRST_NAMES, identity, "first");
        }
        if (last == null) {
            last = Seeds.pick(Seeds.LAST_NAMES, identity, "last");
        }
        String domain = contact.companyDomain();
        if (domain == null && contact.companyName() != null) {
            String slug = contact.companyName().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "");
            domain = (slug.isEmpty() ? "example" : slug) + ".com";
        }
        if (domain == null) {
            domain = Seeds.pick(Seeds.DOMAINS, identity, "domain");
        }
        String companyName = contact.companyName() != null ? contact.companyName() : companyFromDomain(domain);
        String linkedin = contact.linkedinUrl() != null
                ? contact.linkedinUrl()
                : "https://www.linkedin.com/in/" + slug(first) + "-" + slug(last) + "-"
                        + (Seeds.of(identity, "li") % 9000 + 1000);
        Prospect prospect = new Prospect(
                first,
                last,
                first + " " + last,
                Seeds.pick(Seeds.TITLES, identity, "title"),
                linkedin,
                Seeds.pick(Seeds.LOCATIONS, identity, "location"));
        return new SimulatedPerson(first, last, domain, companyName, prospect);
    }

    Company company() {
        return new Company(
                companyName,
                domain,
                Seeds.pick(Seeds.INDUSTRIES, domain, "industry"),
                (int) (Seeds.of(domain, "employees") % 5000) + 10);
    }

    String localPart(String pattern) {
        String f = slug(firstName);
        String l = slug(lastName);
        return switch (pattern) {
            case "flast" -> (f.isEmpty() ? "" : f.substring(0, 1)) + l;
            case "first" -> f;
            default -> f + "." + l;
        };
    }

    static String slug(String value) {
        return value.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "");
    }

    private static boolean isName(String part) {
        return part.length() >= 2 && part.chars().allMatch(Character::isLetter);
    }

    private static String capitalise(String part) {
        return part.substring(0, 1).toUpperCase(Locale.ROOT) + part.substring(1);
    }

    private static String companyFromDomain(String domain) {
        String head = domain.split("\\.")[0].replace('-', ' ');
        return head.isEmpty() ? domain : capitalise(head);
    }
}
