package dev.cascade.waterfall.providers.pdl;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpRequest;

import dev.cascade.events.Company;
import dev.cascade.events.Contact;
import dev.cascade.events.Prospect;
import dev.cascade.waterfall.providers.Capability;
import dev.cascade.waterfall.providers.ProviderContext;
import dev.cascade.waterfall.providers.ProviderData;
import dev.cascade.waterfall.providers.ProviderData.EmailCandidate;
import dev.cascade.waterfall.providers.ProviderData.PhoneCandidate;
import dev.cascade.waterfall.providers.ProviderOutcome;
import dev.cascade.waterfall.providers.ProviderOutcome.Failure;
import dev.cascade.waterfall.providers.ProviderQuery;
import dev.cascade.waterfall.providers.VendorProvider;
import dev.cascade.waterfall.providers.VendorResponse;

/**
 * People Data Labs' Person Enrichment API (VENDORS.md §3a): one {@code GET /person/enrich} per lookup, by LinkedIn
 * profile when the contact has one, else by first and last name plus company. PDL gives no deliverability verdict,
 * so every email goes to the gateway's verifier; only work addresses are returned, never personal ones.
 */
final class PdlProvider extends VendorProvider {
    static final String PATH = "/person/enrich";

    /** `emails[].type` values that are work addresses, best first; `personal` and untyped ones are never used. */
    /** `emails[]` is PDL's history: only a current work address is fit for outreach (VENDORS.md §3a). */
    private static final String CURRENT_PROFESSIONAL = "current_professional";

    private static final ObjectMapper HEADER_JSON = new ObjectMapper();
    private static final DateTimeFormatter SPACED_UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);

    private final String url;
    private final Clock clock;
    private final AtomicBoolean warnedAboutBooleans = new AtomicBoolean();

    PdlProvider(ProviderContext context, String baseUrl, Clock clock) {
        super(context, PdlProviderFactory.TYPE, EnumSet.of(Capability.EMAIL, Capability.PHONE));
        this.url = baseUrl + PATH;
        this.clock = clock;
    }

    @Override
    public Uni<ProviderOutcome> lookup(Capability capability, ProviderQuery query) {
        if (capability != Capability.EMAIL && capability != Capability.PHONE) {
            return Uni.createFrom().item(Failure.rejected("unsupported capability"));
        }
        Map<String, String> params = params(query.contact());
        if (params == null) {
            // PDL answers 400 for a name without company (or a company without a name): not worth a round trip.
            return notAskable();
        }
        HttpRequest<Buffer> request = context.http()
                .request(HttpMethod.GET, url)
                .putHeader("X-Api-Key", apiKey())
                .putHeader("Accept", "application/json");
        // The web client URL-encodes query values itself.
        params.forEach(request::addQueryParam);
        // PDL lower-cases all text by default; names, titles and company names go to clients as they read best.
        request.addQueryParam("titlecase", "true");
        return context.http()
                .send(request, context.timeout(), null, response -> map(capability, query.shared(), response));
    }

    /** One enrichment returns the whole person record: its emails and its phones. */
    @Override
    public Set<Capability> sharedLookup() {
        return EnumSet.of(Capability.EMAIL, Capability.PHONE);
    }

    /**
     * The identifying query parameters, or null when the contact has too few: the LinkedIn URL (PDL's strongest key)
     * alone when present, else first and last name plus the company domain (or its name).
     */
    static Map<String, String> params(Contact contact) {
        if (contact == null) {
            return null;
        }
        Map<String, String> params = new LinkedHashMap<>();
        String linkedin = present(contact.linkedinUrl());
        if (linkedin != null) {
            params.put("profile", linkedin);
            return params;
        }
        String first = present(contact.firstName());
        String last = present(contact.lastName());
        String company = present(contact.companyDomain());
        if (company == null) {
            company = present(contact.companyName());
        }
        if (first == null || last == null || company == null) {
            return null;
        }
        params.put("first_name", first);
        params.put("last_name", last);
        params.put("company", company);
        return params;
    }

    private ProviderOutcome map(Capability capability, boolean shared, VendorResponse response) throws IOException {
        int status = response.status();
        if (status == 200) {
            JsonNode body = response.json();
            JsonNode data = body.get("data");
            if (!body.isObject() || data == null || !data.isObject()) {
                return Failure.permanent("malformed response");
            }
            return answer(capability, shared, data);
        }
        return switch (status) {
            // PDL's 404 always carries its JSON error envelope; a bare 404 page means a wrong base URL, not a miss.
            case 404 ->
                response.jsonOrMissing().isObject() ? new ProviderOutcome.Miss() : Failure.permanent("HTTP 404");
            case 400 -> Failure.rejected("HTTP 400");
            case 401 -> Failure.permanent("HTTP 401");
            case 402 -> Failure.permanent("credits exhausted");
            case 429 -> Failure.throttled("HTTP 429", retryAfter(response, clock));
            default -> response.unexpected();
        };
    }

    private ProviderOutcome answer(Capability capability, boolean shared, JsonNode data) {
        warnOnBooleans(data);
        Prospect prospect = prospect(data);
        Company company = company(data);
        if (shared) {
            List<EmailCandidate> emails = emails(data, company == null ? null : company.domain());
            List<PhoneCandidate> phones = phones(data);
            return emails.isEmpty() && phones.isEmpty()
                    ? new ProviderOutcome.Miss()
                    : new ProviderOutcome.Hit(new ProviderData(emails, phones, null, prospect, company, List.of()));
        }
        if (capability == Capability.EMAIL) {
            List<EmailCandidate> emails = emails(data, company == null ? null : company.domain());
            return emails.isEmpty()
                    ? new ProviderOutcome.Miss()
                    : new ProviderOutcome.Hit(ProviderData.emails(emails, prospect, company));
        }
        List<PhoneCandidate> phones = phones(data);
        return phones.isEmpty()
                ? new ProviderOutcome.Miss()
                : new ProviderOutcome.Hit(new ProviderData(List.of(), phones, null, prospect, company, List.of()));
    }

    /**
     * `work_email`, then the `current_professional` addresses of `emails[]` at the person's current employer (when
     * PDL names its website), without duplicates and without a verdict (PDL gives none). Past employers' and personal
     * addresses are left out on purpose: `emails[]` is history, and nobody is contacted on a personal address.
     */
    static List<EmailCandidate> emails(JsonNode data, String employerDomain) {
        Set<String> addresses = new LinkedHashSet<>();
        addIfPresent(addresses, email(data.get("work_email")));
        JsonNode listed = data.get("emails");
        if (listed != null && listed.isArray()) {
            for (JsonNode entry : listed) {
                String address =
                        entry.isObject() && CURRENT_PROFESSIONAL.equals(lower(VendorResponse.string(entry, "type")))
                                ? email(entry.get("address"))
                                : null;
                if (address != null
                        && (employerDomain == null
                                || address.endsWith("@" + employerDomain.toLowerCase(Locale.ROOT)))) {
                    addresses.add(address);
                }
            }
        }
        return addresses.stream()
                .map(address -> new EmailCandidate(address, null, false))
                .toList();
    }

    /**
     * An email address, lower-cased (PDL stores them lower-case; `titlecase` must not reach an address), or null. A
     * free plan sends {@code true}/{@code false} where the address would be: that is no address.
     */
    static String email(JsonNode value) {
        if (value == null || !value.isTextual()) {
            return null;
        }
        String address = value.textValue().trim().toLowerCase(Locale.ROOT);
        int at = address.indexOf('@');
        return at > 0 && at < address.length() - 1 && address.indexOf(' ') < 0 ? address : null;
    }

    /**
     * `mobile_phone` typed `mobile`, then the other `phone_numbers[]` untyped (PDL lists mobiles first but does not
     * say which), each number once, as PDL wrote it.
     */
    static List<PhoneCandidate> phones(JsonNode data) {
        Map<String, PhoneCandidate> byDigits = new LinkedHashMap<>();
        String mobile = phone(data.get("mobile_phone"));
        if (mobile != null) {
            byDigits.put(digits(mobile), new PhoneCandidate(mobile, "mobile", null));
        }
        JsonNode numbers = data.get("phone_numbers");
        if (numbers != null && numbers.isArray()) {
            for (JsonNode entry : numbers) {
                String number = phone(entry);
                if (number != null) {
                    byDigits.putIfAbsent(digits(number), new PhoneCandidate(number, null, null));
                }
            }
        }
        return List.copyOf(byDigits.values());
    }

    private static String phone(JsonNode value) {
        if (value == null || !value.isTextual()) {
            return null;
        }
        String number = value.textValue().trim();
        return digits(number).isEmpty() ? null : number;
    }

    private static String digits(String number) {
        return number.replaceAll("[^0-9]", "");
    }

    static Prospect prospect(JsonNode data) {
        Prospect prospect = new Prospect(
                VendorResponse.string(data, "first_name"),
                VendorResponse.string(data, "last_name"),
                VendorResponse.string(data, "full_name"),
                VendorResponse.string(data, "job_title"),
                linkedinUrl(VendorResponse.string(data, "linkedin_url")),
                VendorResponse.string(data, "location_name"));
        return prospect.equals(new Prospect(null, null, null, null, null, null)) ? null : prospect;
    }

    /** PDL writes profiles without a scheme (`linkedin.com/in/x`); clients get a URL they can open. */
    static String linkedinUrl(String value) {
        if (value == null) {
            return null;
        }
        String url = value.toLowerCase(Locale.ROOT);
        return url.startsWith("https://") || url.startsWith("http://") ? url : "https://" + url;
    }

    static Company company(JsonNode data) {
        String name = VendorResponse.string(data, "job_company_name");
        String domain = host(VendorResponse.string(data, "job_company_website"));
        return name == null && domain == null ? null : new Company(name, domain, null, null);
    }

    /** Free plans answer {@code true}/{@code false} instead of contact values: say so once, loudly. */
    private void warnOnBooleans(JsonNode data) {
        boolean booleans = isBoolean(data.get("work_email"))
                || isBoolean(data.get("mobile_phone"))
                || isBoolean(data.get("emails"))
                || isBoolean(data.get("phone_numbers"));
        if (booleans && warnedAboutBooleans.compareAndSet(false, true)) {
            Log.warnf(
                    "Provider %s: People Data Labs returns true/false instead of contact values (a free plan?);"
                            + " such answers count as misses",
                    name());
        }
    }

    private static boolean isBoolean(JsonNode value) {
        return value != null && value.isBoolean();
    }

    /**
     * How long a 429 asks us to wait: `Retry-After` when sent, else until `x-ratelimit-reset`, which PDL documents as
     * a UTC timestamp (`2022-02-23T20:19:55Z`; older docs: epoch seconds). Null when neither can be read.
     */
    static Duration retryAfter(VendorResponse response, Clock clock) {
        Duration retryAfter = response.retryAfter();
        if (retryAfter != null) {
            return retryAfter;
        }
        Instant reset = resetInstant(response.header("x-ratelimit-reset"));
        if (reset == null) {
            return null;
        }
        Duration wait = Duration.between(clock.instant(), reset);
        return wait.isNegative() ? Duration.ZERO : wait;
    }

    static Instant resetInstant(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String value = header.trim();
        if (value.startsWith("{")) {
            // Like x-ratelimit-remaining, the header may hold one value per window: use the minute's.
            value = perWindow(value);
            if (value == null) {
                return null;
            }
        }
        if (value.length() > 1 && value.startsWith("\"") && value.endsWith("\"")) {
            value = value.substring(1, value.length() - 1).trim();
        }
        if (value.matches("\\d{1,15}(\\.\\d+)?")) {
            double number = Double.parseDouble(value);
            // Epoch milliseconds, else epoch seconds; anything smaller is no timestamp.
            if (number >= 1e12) {
                return Instant.ofEpochMilli((long) number);
            }
            return number >= 1e9 ? Instant.ofEpochMilli(Math.round(number * 1000)) : null;
        }
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException notIso) {
            // try the next form
        }
        try {
            return LocalDateTime.parse(value).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException notLocalIso) {
            // try the next form
        }
        try {
            return LocalDateTime.parse(value, SPACED_UTC).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException notSpaced) {
            // try the next form
        }
        try {
            return ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME)
                    .toInstant();
        } catch (DateTimeParseException notHttpDate) {
            return null;
        }
    }

    private static String perWindow(String json) {
        try {
            JsonNode windows = HEADER_JSON.readTree(json);
            if (windows == null || !windows.isObject()) {
                return null;
            }
            JsonNode minute = windows.get("minute");
            if (minute != null && (minute.isTextual() || minute.isNumber())) {
                return minute.asText();
            }
            List<String> values = new ArrayList<>();
            windows.forEach(value -> {
                if (value.isTextual() || value.isNumber()) {
                    values.add(value.asText());
                }
            });
            return values.isEmpty() ? null : values.get(0);
        } catch (IOException notJson) {
            return null;
        }
    }

    private static String lower(String value) {
        return value == null ? null : value.toLowerCase(Locale.ROOT);
    }

    private static String present(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    private static void addIfPresent(Set<String> set, String value) {
        if (value != null) {
            set.add(value);
        }
    }
}
