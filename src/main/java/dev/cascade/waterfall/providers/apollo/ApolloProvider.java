package dev.cascade.waterfall.providers.apollo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpRequest;

import dev.cascade.events.Company;
import dev.cascade.events.Contact;
import dev.cascade.events.Prospect;
import dev.cascade.waterfall.providers.Capability;
import dev.cascade.waterfall.providers.EmailStatus;
import dev.cascade.waterfall.providers.ProviderContext;
import dev.cascade.waterfall.providers.ProviderData;
import dev.cascade.waterfall.providers.ProviderData.EmailCandidate;
import dev.cascade.waterfall.providers.ProviderOutcome;
import dev.cascade.waterfall.providers.ProviderOutcome.Failure;
import dev.cascade.waterfall.providers.ProviderQuery;
import dev.cascade.waterfall.providers.VendorProvider;
import dev.cascade.waterfall.providers.VendorResponse;

/**
 * Apollo.io (VENDORS.md §4): EMAIL through People Enrichment, PROSPECT through People API Search. One HTTP exchange
 * per lookup. Phones are never requested: Apollo only reveals them asynchronously to a `webhook_url`, which a
 * synchronous waterfall step cannot wait for.
 */
final class ApolloProvider extends VendorProvider {
    /** Apollo's largest `per_page` for People API Search. */
    static final int MAX_PER_PAGE = 100;

    /** The address Apollo puts in `email` when the account has not unlocked it (third-party client code). */
    private static final String LOCKED_EMAIL = "email_not_unlocked@";

    private static final Failure MALFORMED = Failure.permanent("malformed response");

    private final String base;

    ApolloProvider(ProviderContext context, String base) {
        super(context, ApolloProviderFactory.TYPE, Set.of(Capability.EMAIL, Capability.PROSPECT));
        this.base = base;
    }

    @Override
    public Uni<ProviderOutcome> lookup(Capability capability, ProviderQuery query) {
        return switch (capability) {
            case EMAIL -> findEmail(query.contact());
            case PROSPECT -> discover(query.contact(), query.maxProspects());
            default -> Uni.createFrom().item(Failure.rejected("unsupported capability " + capability.wire()));
        };
    }

    // ---- EMAIL: POST /people/match ------------------------------------------------------------------------------

    private Uni<ProviderOutcome> findEmail(Contact contact) {
        String domain = bareDomain(contact.companyDomain());
        boolean named = contact.firstName() != null && contact.lastName() != null;
        // A name alone matches too loosely to be worth a credit: Apollo bills a match that returns only demographics.
        if (contact.linkedinUrl() == null && !(named && (domain != null || contact.companyName() != null))) {
            return notAskable();
        }
        Map<String, Object> body = new LinkedHashMap<>();
        putIfPresent(body, "first_name", contact.firstName());
        putIfPresent(body, "last_name", contact.lastName());
        putIfPresent(body, "organization_name", contact.companyName());
        putIfPresent(body, "domain", domain);
        putIfPresent(body, "linkedin_url", contact.linkedinUrl());
        body.put("reveal_personal_emails", false);
        // Phones would need a webhook_url (they arrive asynchronously and cost 8 credits more): never asked for.
        body.put("reveal_phone_number", false);
        return context.http().send(post("/people/match"), context.timeout(), body, ApolloProvider::mapMatch);
    }

    static ProviderOutcome mapMatch(VendorResponse response) throws java.io.IOException {
        if (!success(response)) {
            return failure(response);
        }
        JsonNode root = response.json();
        if (!root.isObject()) {
            return MALFORMED;
        }
        JsonNode person = root.path("person");
        if (!person.isObject()) {
            // Apollo's "no match": 200 with person null or absent.
            return new ProviderOutcome.Miss();
        }
        String email = VendorResponse.text(person, "email");
        String status = normalisedStatus(VendorResponse.text(person, "email_status"));
        if (email == null
                || !email.contains("@")
                || email.toLowerCase(Locale.ROOT).startsWith(LOCKED_EMAIL)
                || "unavailable".equals(status)) {
            return new ProviderOutcome.Miss();
        }
        EmailCandidate candidate = candidate(email, status);
        return new ProviderOutcome.Hit(
                ProviderData.emails(List.of(candidate), prospect(person), company(person.path("organization"))));
    }

    /**
     * Apollo's `email_status` per VENDORS.md §8. Apollo's own verification counts as verified for `verified` and
     * `likely to engage`, and for `bounced` (a bounce is proof enough); a guessed address is risky and left for the
     * gateway's verifier, as is a status this adapter does not know (no verdict).
     */
    static EmailCandidate candidate(String email, String status) {
        if (status == null) {
            return new EmailCandidate(email, null, false);
        }
        return switch (status) {
            case "verified", "likely to engage" -> new EmailCandidate(email, EmailStatus.RELIABLE, true);
            case "unverified", "guessed", "extrapolated", "pending manual fulfillment" ->
                new EmailCandidate(email, EmailStatus.RISKY, false);
            case "update required" -> new EmailCandidate(email, EmailStatus.UNKNOWN, false);
            case "bounced" -> new EmailCandidate(email, EmailStatus.INVALID, true);
            default -> new EmailCandidate(email, null, false);
        };
    }

    /** Lower case, underscores as spaces: Apollo writes both `likely to engage` and (in places) `update_required`. */
    static String normalisedStatus(String status) {
        return status == null ? null : status.trim().toLowerCase(Locale.ROOT).replace('_', ' ');
    }

    private static Prospect prospect(JsonNode person) {
        Prospect prospect = new Prospect(
                VendorResponse.text(person, "first_name"),
                VendorResponse.text(person, "last_name"),
                VendorResponse.text(person, "name"),
                VendorResponse.text(person, "title"),
                LinkedIn.normalise(VendorResponse.text(person, "linkedin_url")),
                location(person));
        return empty(prospect) ? null : prospect;
    }

    private static Company company(JsonNode organization) {
        if (!organization.isObject()) {
            return null;
        }
        JsonNode employees = organization.path("estimated_num_employees");
        Integer employeeCount = employees.canConvertToInt() && employees.asInt() > 0 ? employees.asInt() : null;
        String name = VendorResponse.text(organization, "name");
        String domain = VendorResponse.text(organization, "primary_domain");
        String industry = VendorResponse.text(organization, "industry");
        if (name == null && domain == null && industry == null && employeeCount == null) {
            return null;
        }
        return new Company(name, domain == null ? null : domain.toLowerCase(Locale.ROOT), industry, employeeCount);
    }

    // ---- PROSPECT: POST /mixed_people/api_search ----------------------------------------------------------------

    private Uni<ProviderOutcome> discover(Contact contact, int maxProspects) {
        if (maxProspects <= 0) {
            return notAskable();
        }
        String domain = bareDomain(contact.companyDomain());
        Map<String, Object> body = new LinkedHashMap<>();
        if (domain != null) {
            body.put("q_organization_domains_list", List.of(domain));
        } else if (contact.companyName() != null) {
            // People API Search has no organisation-name filter; a keyword search on the name is the closest
            // (less precise: it also matches people whose other fields mention the name).
            body.put("q_keywords", contact.companyName());
        } else {
            return notAskable();
        }
        body.put("page", 1);
        body.put("per_page", Math.min(maxProspects, MAX_PER_PAGE));
        return context.http()
                .send(
                        post("/mixed_people/api_search"),
                        context.timeout(),
                        body,
                        response -> mapSearch(response, domain, maxProspects));
    }

    static ProviderOutcome mapSearch(VendorResponse response, String domain, int maxProspects)
            throws java.io.IOException {
        if (!success(response)) {
            return failure(response);
        }
        JsonNode root = response.json();
        if (!root.isObject()) {
            return MALFORMED;
        }
        JsonNode people = root.path("people");
        if (people.isMissingNode() || people.isNull()) {
            return new ProviderOutcome.Miss();
        }
        if (!people.isArray()) {
            return MALFORMED;
        }
        List<Prospect> prospects = new ArrayList<>();
        Company company = null;
        for (JsonNode person : people) {
            if (prospects.size() >= maxProspects) {
                break;
            }
            if (!person.isObject()) {
                continue;
            }
            Prospect prospect = searchProspect(person);
            if (prospect == null) {
                continue;
            }
            prospects.add(prospect);
            if (company == null && domain != null) {
                company = searchCompany(person.path("organization"), domain);
            }
        }
        if (prospects.isEmpty()) {
            return new ProviderOutcome.Miss();
        }
        return new ProviderOutcome.Hit(ProviderData.discovered(List.copyOf(prospects), company));
    }

    /**
     * A search result without contact data. Apollo gives `last_name_obfuscated` ("Hu***n"), which is not a last name:
     * the prospect keeps only the first name and title, unless a clear last name or full name is present.
     */
    private static Prospect searchProspect(JsonNode person) {
        String first = VendorResponse.text(person, "first_name");
        String last = clear(VendorResponse.text(person, "last_name"));
        String full = clear(VendorResponse.text(person, "name"));
        if (full == null && first != null && last != null) {
            full = first + " " + last;
        }
        String title = VendorResponse.text(person, "title");
        String linkedin = LinkedIn.normalise(VendorResponse.text(person, "linkedin_url"));
        if (first == null && full == null && title == null && linkedin == null) {
            return null;
        }
        return new Prospect(first, last, full, title, linkedin, location(person));
    }

    /** The searched company: the domain asked for, with Apollo's name for it when given. */
    private static Company searchCompany(JsonNode organization, String domain) {
        String name = organization.isObject() ? VendorResponse.text(organization, "name") : null;
        String primary = organization.isObject() ? VendorResponse.text(organization, "primary_domain") : null;
        return new Company(name, primary == null ? domain : primary.toLowerCase(Locale.ROOT), null, null);
    }

    /** A name Apollo did not mask (masked parts contain `*`). */
    private static String clear(String name) {
        return name == null || name.indexOf('*') >= 0 ? null : name;
    }

    // ---- shared ------------------------------------------------------------------------------------------------

    private HttpRequest<Buffer> post(String path) {
        return context.http()
                .request(HttpMethod.POST, base + path)
                .putHeader("x-api-key", apiKey())
                .putHeader("Accept", "application/json");
    }

    private static boolean success(VendorResponse response) {
        return response.status() >= 200 && response.status() < 300;
    }

    /**
     * Apollo's error answers (VENDORS.md §4): a 403 is the plan or the key's endpoint scope (`API_INACCESSIBLE`), a
     * 404 is an endpoint that does not exist (never a miss), a 422 refuses this request's parameters. The rest
     * keeps the shared meaning: 401 permanent, 429 throttled (Apollo's 429 names its window only in prose, so just a
     * `Retry-After` is honoured), 5xx transient, other 4xx rejected.
     */
    static Failure failure(VendorResponse response) {
        int status = response.status();
        if (status == 403) {
            String code = VendorResponse.text(response.jsonOrMissing(), "error_code");
            return Failure.permanent("API_INACCESSIBLE".equals(code) ? "HTTP 403: plan or key scope" : "HTTP 403");
        }
        if (status == 404) {
            return Failure.permanent("HTTP 404: endpoint missing");
        }
        if (status == 422) {
            return Failure.rejected("HTTP 422");
        }
        return response.unexpected();
    }

    /** Apollo wants the bare domain, without `www.`. */
    static String bareDomain(String domain) {
        if (domain == null || domain.isBlank()) {
            return null;
        }
        String host = domain.trim().toLowerCase(Locale.ROOT);
        return host.startsWith("www.") ? host.substring(4) : host;
    }

    private static String location(JsonNode person) {
        List<String> parts = new ArrayList<>(3);
        for (String field : List.of("city", "state", "country")) {
            String part = VendorResponse.text(person, field);
            if (part != null) {
                parts.add(part);
            }
        }
        return parts.isEmpty() ? null : String.join(", ", parts);
    }

    private static boolean empty(Prospect prospect) {
        return prospect.firstName() == null
                && prospect.lastName() == null
                && prospect.fullName() == null
                && prospect.title() == null
                && prospect.linkedinUrl() == null
                && prospect.location() == null;
    }

    private static void putIfPresent(Map<String, Object> body, String field, String value) {
        if (value != null && !value.isBlank()) {
            body.put(field, value);
        }
    }
}
