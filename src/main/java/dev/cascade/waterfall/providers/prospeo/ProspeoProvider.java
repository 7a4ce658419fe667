package dev.cascade.waterfall.providers.prospeo;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

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
import dev.cascade.waterfall.providers.ProviderData.PhoneCandidate;
import dev.cascade.waterfall.providers.ProviderOutcome;
import dev.cascade.waterfall.providers.ProviderOutcome.Failure;
import dev.cascade.waterfall.providers.ProviderQuery;
import dev.cascade.waterfall.providers.VendorProvider;
import dev.cascade.waterfall.providers.VendorResponse;

/**
 * Prospeo's Enrich Person API (VENDORS.md §2a): one {@code POST /enrich-person} per lookup, asking for the mobile
 * only when a phone is wanted (a revealed mobile costs 10 credits, an email match 1). Prospeo reports everything,
 * the miss included, as an {@code error_code} in a JSON envelope, mostly on HTTP 400; this class maps those codes.
 */
final class ProspeoProvider extends VendorProvider {
    static final String PATH = "/enrich-person";

    /** Longest waits the rate headers may ask for before we distrust them (a day and a minute). */
    private static final double MAX_DAILY_RESET_SECONDS = 86_400;

    private static final double MAX_MINUTE_RESET_SECONDS = 60;

    private static final Pattern ERROR_CODE = Pattern.compile("[A-Z0-9_]{1,48}");
    private static final Pattern COUNTRY = Pattern.compile("[A-Za-z]{2}");

    private final String url;

    ProspeoProvider(ProviderContext context, String baseUrl) {
        super(context, ProspeoProviderFactory.TYPE, EnumSet.of(Capability.EMAIL, Capability.PHONE));
        this.url = baseUrl + PATH;
    }

    @Override
    public Uni<ProviderOutcome> lookup(Capability capability, ProviderQuery query) {
        if (capability != Capability.EMAIL && capability != Capability.PHONE) {
            return Uni.createFrom().item(Failure.rejected("unsupported capability"));
        }
        Map<String, Object> data = datapoints(query.contact());
        if (data == null) {
            // Prospeo answers INVALID_DATAPOINTS for these; asking would only cost a round trip.
            return notAskable();
        }
        Map<String, Object> body = new LinkedHashMap<>();
        // Unverified emails are still worth having: the gateway's verifier checks them.
        body.put("only_verified_email", false);
        // A shared lookup asks for the mobile too: that one answer then serves the email and the phone waterfall.
        body.put("enrich_mobile", capability == Capability.PHONE || query.shared());
        body.put("data", data);
        HttpRequest<Buffer> request = context.http()
                .request(HttpMethod.POST, url)
                .putHeader("X-KEY", apiKey())
                .putHeader("Accept", "application/json");
        return context.http()
                .send(request, context.timeout(), body, response -> map(capability, query.shared(), response));
    }

    /** Asked for the mobile, Prospeo returns the email as well (one request, billed once). */
    @Override
    public java.util.Set<Capability> sharedLookup() {
        return EnumSet.of(Capability.EMAIL, Capability.PHONE);
    }

    /**
     * The request's `data` with only the fields the contact has, or null when it lacks Prospeo's minimum (a LinkedIn
     * URL, or first and last name plus a company field; full name, email and person id are never in a contact).
     */
    static Map<String, Object> datapoints(Contact contact) {
        if (contact == null) {
            return null;
        }
        String linkedin = present(contact.linkedinUrl());
        String first = present(contact.firstName());
        String last = present(contact.lastName());
        String domain = present(contact.companyDomain());
        String companyName = present(contact.companyName());
        boolean named = first != null && last != null && (domain != null || companyName != null);
        if (linkedin == null && !named) {
            return null;
        }
        Map<String, Object> data = new LinkedHashMap<>();
        putIfPresent(data, "first_name", first);
        putIfPresent(data, "last_name", last);
        // The website pins the company down better than a name, so the name is sent only when there is no domain.
        if (domain != null) {
            data.put("company_website", domain);
        } else {
            putIfPresent(data, "company_name", companyName);
        }
        putIfPresent(data, "linkedin_url", linkedin);
        return data;
    }

    private ProviderOutcome map(Capability capability, boolean shared, VendorResponse response) throws IOException {
        int status = response.status();
        if (status >= 200 && status < 300) {
            JsonNode body = response.json();
            if (!body.isObject()) {
                return Failure.permanent("malformed response");
            }
            if (!body.path("error").asBoolean(false)) {
                return answer(capability, shared, body);
            }
        }
        String code = errorCode(response.jsonOrMissing());
        if (code != null) {
            switch (code) {
                case "NO_MATCH":
                    // Also what Prospeo answers when only_verified_* filtered the hit out; free of charge.
                    return new ProviderOutcome.Miss();
                case "INSUFFICIENT_CREDITS":
                    return Failure.permanent("credits exhausted");
                case "INTERNAL_ERROR":
                    // Prospeo's own fault, reported on a 400: worth another attempt.
                    return Failure.transientFault("HTTP " + status + " INTERNAL_ERROR");
                case "INVALID_DATAPOINTS", "INVALID_REQUEST":
                    return Failure.rejected("HTTP " + status + " " + code);
                case "INVALID_API_KEY":
                    return Failure.permanent("HTTP " + status);
                case "RATE_LIMITED":
                    return Failure.throttled("HTTP " + status, retryAfter(response));
                default:
                    if (status < 300 || status == 400) {
                        // An error code this adapter does not know, on this request alone.
                        return Failure.rejected("HTTP " + status + " " + code);
                    }
            }
        }
        if (status == 429) {
            return Failure.throttled("HTTP 429", retryAfter(response));
        }
        if (status < 300) {
            return Failure.permanent("malformed response");
        }
        return response.unexpected();
    }

    private static ProviderOutcome answer(Capability capability, boolean shared, JsonNode body) {
        JsonNode person = body.get("person");
        if (person == null || !person.isObject()) {
            return new ProviderOutcome.Miss();
        }
        Prospect prospect = prospect(person);
        Company company = company(body.get("company"));
        if (shared) {
            EmailCandidate email = email(person.get("email"));
            PhoneCandidate mobile = mobile(person.get("mobile"));
            return email == null && mobile == null
                    ? new ProviderOutcome.Miss()
                    : new ProviderOutcome.Hit(new ProviderData(
                            email == null ? List.of() : List.of(email),
                            mobile == null ? List.of() : List.of(mobile),
                            null,
                            prospect,
                            company,
                            List.of()));
        }
        if (capability == Capability.EMAIL) {
            EmailCandidate email = email(person.get("email"));
            return email == null
                    ? new ProviderOutcome.Miss()
                    : new ProviderOutcome.Hit(ProviderData.emails(List.of(email), prospect, company));
        }
        PhoneCandidate mobile = mobile(person.get("mobile"));
        return mobile == null
                ? new ProviderOutcome.Miss()
                : new ProviderOutcome.Hit(
                        new ProviderData(List.of(), List.of(mobile), null, prospect, company, List.of()));
    }

    /**
     * `VERIFIED` and revealed: reliable, verified by Prospeo (SMTP or BounceBan). `UNAVAILABLE`, unrevealed or masked
     * (`ada.*****@…`): nothing usable, a miss. Any other status: a candidate without a verdict, for our verifier.
     */
    static EmailCandidate email(JsonNode email) {
        if (email == null || !email.isObject()) {
            return null;
        }
        String status = upper(VendorResponse.string(email, "status"));
        String address = VendorResponse.string(email, "email");
        if ("UNAVAILABLE".equals(status) || !revealed(email, address) || address.indexOf('@') <= 0) {
            return null;
        }
        return "VERIFIED".equals(status)
                ? new EmailCandidate(address, EmailStatus.RELIABLE, true)
                : new EmailCandidate(address, null, false);
    }

    /**
     * A revealed `VERIFIED` mobile, typed `mobile`; anything else is a miss. Unlike emails, a mobile with another
     * status is not passed on: nothing downstream can check a phone number beyond its format.
     */
    static PhoneCandidate mobile(JsonNode mobile) {
        if (mobile == null || !mobile.isObject()) {
            return null;
        }
        String status = upper(VendorResponse.string(mobile, "status"));
        String local = VendorResponse.string(mobile, "mobile");
        String international = VendorResponse.string(mobile, "mobile_international");
        // The number as Prospeo wrote it, preferring a form that carries its country code.
        String number = local != null && (local.startsWith("+") || international == null) ? local : international;
        if (!"VERIFIED".equals(status) || !revealed(mobile, number)) {
            return null;
        }
        String region = VendorResponse.string(mobile, "mobile_country_code");
        // Only an ISO 3166 alpha-2 code is a region hint; a dialling code ("+1", "1") is not.
        region = region != null && COUNTRY.matcher(region).matches() ? region.toUpperCase(Locale.ROOT) : null;
        return new PhoneCandidate(number, "mobile", region);
    }

    /** A value is usable when present, not flagged `revealed:false`, and not masked with asterisks. */
    private static boolean revealed(JsonNode node, String value) {
        JsonNode revealed = node.get("revealed");
        if (revealed != null && revealed.isBoolean() && !revealed.booleanValue()) {
            return false;
        }
        return value != null && value.indexOf('*') < 0;
    }

    static Prospect prospect(JsonNode person) {
        JsonNode location = person.get("location");
        List<String> place = new ArrayList<>(2);
        if (location != null && location.isObject()) {
            addIfPresent(place, VendorResponse.string(location, "city"));
            addIfPresent(place, VendorResponse.string(location, "country"));
        }
        Prospect prospect = new Prospect(
                VendorResponse.string(person, "first_name"),
                VendorResponse.string(person, "last_name"),
                VendorResponse.string(person, "full_name"),
                VendorResponse.string(person, "current_job_title"),
                VendorResponse.string(person, "linkedin_url"),
                place.isEmpty() ? null : String.join(", ", place));
        return prospect.equals(new Prospect(null, null, null, null, null, null)) ? null : prospect;
    }

    /** The current employer; Prospeo sends {@code company: null} when the person has no current job. */
    static Company company(JsonNode company) {
        if (company == null || !company.isObject()) {
            return null;
        }
        String name = VendorResponse.string(company, "name");
        String domain = VendorResponse.string(company, "domain");
        if (domain == null) {
            domain = host(VendorResponse.string(company, "website"));
        }
        if (name == null && domain == null) {
            return null;
        }
        return new Company(name, domain == null ? null : domain.toLowerCase(Locale.ROOT), null, null);
    }

    /**
     * How long a 429 asks us to wait. Prospeo documents no `Retry-After`; its rate headers (names seen only in
     * third-party code) say which window ran out: the day's or the minute's reset when that window is used up,
     * one second when only the per-second limit was hit, else the minute's reset when that is all we know.
     */
    static Duration retryAfter(VendorResponse response) {
        Duration retryAfter = response.retryAfter();
        if (retryAfter != null) {
            return retryAfter;
        }
        Double dailyLeft = number(response.header("x-daily-request-left"));
        Duration dailyReset = seconds(response.header("x-daily-reset-seconds"), MAX_DAILY_RESET_SECONDS);
        if (dailyLeft != null && dailyLeft <= 0 && dailyReset != null) {
            return dailyReset;
        }
        Double minuteLeft = number(response.header("x-minute-request-left"));
        Duration minuteReset = seconds(response.header("x-minute-reset-seconds"), MAX_MINUTE_RESET_SECONDS);
        if (minuteLeft != null && minuteLeft <= 0 && minuteReset != null) {
            return minuteReset;
        }
        if ((minuteLeft != null && minuteLeft > 0) || response.header("x-second-rate-limit") != null) {
            // The per-second window: it is over within a second.
            return Duration.ofSeconds(1);
        }
        return minuteReset;
    }

    private static Duration seconds(String header, double max) {
        Double seconds = number(header);
        if (seconds == null || seconds < 0 || seconds > max) {
            return null;
        }
        return Duration.ofMillis(Math.round(seconds * 1000));
    }

    private static Double number(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        try {
            double value = Double.parseDouble(header.trim());
            return Double.isFinite(value) ? value : null;
        } catch (NumberFormatException notANumber) {
            return null;
        }
    }

    /** Prospeo's `error_code`, when it is a plain code (anything else is not echoed into a failure reason). */
    private static String errorCode(JsonNode body) {
        String code = upper(VendorResponse.string(body, "error_code"));
        return code != null && ERROR_CODE.matcher(code).matches() ? code : null;
    }

    private static String upper(String value) {
        return value == null ? null : value.toUpperCase(Locale.ROOT);
    }

    private static String present(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    private static void putIfPresent(Map<String, Object> map, String key, String value) {
        if (value != null) {
            map.put(key, value);
        }
    }

    private static void addIfPresent(List<String> list, String value) {
        if (value != null) {
            list.add(value);
        }
    }
}
