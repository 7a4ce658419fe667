package dev.cascade.waterfall.providers.hunter;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
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
import dev.cascade.waterfall.providers.ProviderOutcome;
import dev.cascade.waterfall.providers.ProviderOutcome.Failure;
import dev.cascade.waterfall.providers.ProviderQuery;
import dev.cascade.waterfall.providers.VendorProvider;
import dev.cascade.waterfall.providers.VendorResponse;

/**
 * Hunter.io v2: `GET /email-finder` for {@link Capability#EMAIL}, `GET /email-verifier` for {@link Capability#VERIFY}.
 * Hunter signals most conditions through the HTTP status alone (VENDORS.md §1): 403 is its per-second/minute rate
 * limit, 429 the exhausted monthly quota, 451 an owner who opted out, 202/222 a verification that has not settled.
 */
final class HunterProvider extends VendorProvider {
    static final String DEFAULT_BASE_URL = "https://api.hunter.io/v2";

    /** Hunter accepts `max_duration` between 3 and 20 seconds (its default is 10). */
    static final int MIN_MAX_DURATION = 3;

    static final int MAX_MAX_DURATION = 20;

    /** Time left for Hunter's own search and for the network around the built-in verification. */
    private static final Duration VERIFICATION_MARGIN = Duration.ofSeconds(2);

    /** Error ids are echoed in failure reasons only when they look like Hunter's own identifiers. */
    private static final Pattern ERROR_ID = Pattern.compile("[a-z_]{1,40}");

    private final String baseUrl;
    private final int maxDuration;

    HunterProvider(ProviderContext context) {
        super(context, HunterProviderFactory.TYPE, Set.of(Capability.EMAIL, Capability.VERIFY));
        this.baseUrl = context.baseUrl(DEFAULT_BASE_URL);
        this.maxDuration = maxDuration(context.timeout());
    }

    /**
     * The `max_duration` sent to the finder: Hunter spends up to that long verifying the address it found, so it is
     * kept inside our own timeout; otherwise every slow verification would end as our `timeout` instead of as an
     * answer (with a verification status or without one).
     */
    static int maxDuration(Duration timeout) {
        long seconds = timeout.minus(VERIFICATION_MARGIN).toSeconds();
        return (int) Math.max(MIN_MAX_DURATION, Math.min(MAX_MAX_DURATION, seconds));
    }

    @Override
    public Uni<ProviderOutcome> lookup(Capability capability, ProviderQuery query) {
        return switch (capability) {
            case EMAIL -> findEmail(query.contact());
            case VERIFY -> verify(query.email());
            default -> Uni.createFrom().item(Failure.rejected("unsupported capability"));
        };
    }

    private Uni<ProviderOutcome> findEmail(Contact contact) {
        if (contact == null) {
            return notAskable();
        }
        HttpRequest<Buffer> request = authorized(context.http().request(HttpMethod.GET, baseUrl + "/email-finder"));
        boolean named = contact.firstName() != null && contact.lastName() != null;
        boolean employer = contact.companyDomain() != null || contact.companyName() != null;
        String handle = contact.linkedinSlug();
        if (named && employer) {
            // The domain finds far more than a company name (Hunter's own advice), so the name is only a fallback.
            if (contact.companyDomain() != null) {
                request.addQueryParam("domain", contact.companyDomain());
            } else {
                request.addQueryParam("company", contact.companyName());
            }
            request.addQueryParam("first_name", contact.firstName());
            request.addQueryParam("last_name", contact.lastName());
        } else if (handle != null && !handle.isBlank()) {
            // A LinkedIn handle identifies the person on its own: no name or company needed.
            request.addQueryParam("linkedin_handle", handle);
        } else {
            return notAskable();
        }
        request.addQueryParam("max_duration", Integer.toString(maxDuration));
        return context.http().send(request, context.timeout(), null, this::finderAnswer);
    }

    private Uni<ProviderOutcome> verify(String email) {
        if (email == null || email.isBlank()) {
            return notAskable();
        }
        HttpRequest<Buffer> request = authorized(context.http().request(HttpMethod.GET, baseUrl + "/email-verifier"))
                .addQueryParam("email", email.trim());
        return context.http().send(request, context.timeout(), null, this::verifierAnswer);
    }

    /** The key travels in a header, not the query string, so it never lands in URL logs of proxies on the way. */
    private HttpRequest<Buffer> authorized(HttpRequest<Buffer> request) {
        return request.putHeader("X-API-KEY", apiKey());
    }

    private ProviderOutcome finderAnswer(VendorResponse response) {
        if (response.status() != 200) {
            return failureOrMiss(response, false);
        }
        JsonNode data = response.jsonOrMissing().path("data");
        if (!data.isObject()) {
            return Failure.permanent("malformed response");
        }
        String email = VendorResponse.text(data, "email");
        if (email == null) {
            // Hunter's miss: 200 with `email: null` (and no charge).
            return new ProviderOutcome.Miss();
        }
        EmailStatus status = finderStatus(VendorResponse.text(data.path("verification"), "status"));
        EmailCandidate candidate = new EmailCandidate(email, status, status != null);
        return new ProviderOutcome.Hit(ProviderData.emails(List.of(candidate), prospect(data), company(data)));
    }

    private ProviderOutcome verifierAnswer(VendorResponse response) {
        if (response.status() != 200) {
            return failureOrMiss(response, true);
        }
        JsonNode data = response.jsonOrMissing().path("data");
        if (!data.isObject()) {
            return Failure.permanent("malformed response");
        }
        EmailStatus status = verifierStatus(VendorResponse.text(data, "status"), VendorResponse.text(data, "result"));
        return status == null
                ? Failure.permanent("malformed response")
                : new ProviderOutcome.Hit(ProviderData.verified(status));
    }

    /**
     * Every answer but a 200. A 451 (`claimed_email`: the owner asked Hunter not to process the address) is a miss
     * for the finder; for the verifier it is the verdict `invalid`, so the waterfall drops the address and it is
     * never returned or cached. The verifier's "syntactically invalid address" 400 is `invalid` too.
     */
    private static ProviderOutcome failureOrMiss(VendorResponse response, boolean verifying) {
        return switch (response.status()) {
            // The verifier is still working (202, Hunter waited up to 20 s) or the mail server gave an odd SMTP
            // answer (222): Hunter says to repeat the identical call later, which is what the guard's retry does.
            case 202 -> Failure.transientFault("verification pending (HTTP 202)");
            case 222 -> Failure.transientFault("verification inconclusive (HTTP 222)");
            case 400 -> badRequest(response, verifying);
            case 401 -> Failure.permanent("HTTP 401");
            // Hunter's 403 is its per-second/per-minute rate limit, not a permission problem.
            case 403 -> Failure.throttled("HTTP 403", response.retryAfter());
            // Hunter's 429 is the exhausted monthly quota: retrying cannot help until the plan renews or grows.
            case 429 -> Failure.permanent("quota exhausted");
            case 451 ->
                verifying
                        ? new ProviderOutcome.Hit(ProviderData.verified(EmailStatus.INVALID))
                        : new ProviderOutcome.Miss();
            default -> response.unexpected();
        };
    }

    private static ProviderOutcome badRequest(VendorResponse response, boolean verifying) {
        String id = errorId(response.jsonOrMissing());
        if (verifying && "invalid_email".equals(id)) {
            return new ProviderOutcome.Hit(ProviderData.verified(EmailStatus.INVALID));
        }
        return Failure.rejected(id == null ? "HTTP 400" : "HTTP 400 " + id);
    }

    private static String errorId(JsonNode body) {
        JsonNode errors = body.path("errors");
        if (!errors.isArray() || errors.isEmpty()) {
            return null;
        }
        String id = VendorResponse.text(errors.get(0), "id");
        return id != null && ERROR_ID.matcher(id).matches() ? id : null;
    }

    /**
     * The finder's own verification: `valid` and `accept_all` are SMTP verdicts; `unknown` or none leaves the
     * address unverified so that the gateway's verifier checks it.
     */
    static EmailStatus finderStatus(String status) {
        if (status == null) {
            return null;
        }
        return switch (status.toLowerCase(Locale.ROOT)) {
            case "valid" -> EmailStatus.RELIABLE;
            case "accept_all" -> EmailStatus.RISKY;
            default -> null;
        };
    }

    /** VENDORS.md §8; the deprecated `result` field is read only when `status` is absent. */
    static EmailStatus verifierStatus(String status, String result) {
        if (status != null) {
            return switch (status.toLowerCase(Locale.ROOT)) {
                case "valid" -> EmailStatus.RELIABLE;
                case "accept_all" -> EmailStatus.RISKY;
                // Webmail providers (gmail.com, …) are not SMTP-checked by Hunter: deliverability is not known.
                case "invalid", "disposable" -> EmailStatus.INVALID;
                default -> EmailStatus.UNKNOWN;
            };
        }
        if (result != null) {
            return switch (result.toLowerCase(Locale.ROOT)) {
                case "deliverable" -> EmailStatus.RELIABLE;
                case "undeliverable" -> EmailStatus.INVALID;
                case "risky" -> EmailStatus.RISKY;
                default -> EmailStatus.UNKNOWN;
            };
        }
        return null;
    }

    private static Prospect prospect(JsonNode data) {
        String first = VendorResponse.text(data, "first_name");
        String last = VendorResponse.text(data, "last_name");
        String title = VendorResponse.text(data, "position");
        String linkedin = VendorResponse.text(data, "linkedin_url");
        if (first == null && last == null && title == null && linkedin == null) {
            return null;
        }
        String full = first == null ? last : last == null ? first : first + " " + last;
        return new Prospect(first, last, full, title, linkedin, null);
    }

    private static Company company(JsonNode data) {
        String name = VendorResponse.text(data, "company");
        String domain = VendorResponse.text(data, "domain");
        if (name == null && domain == null) {
            return null;
        }
        return new Company(name, domain == null ? null : domain.toLowerCase(Locale.ROOT), null, null);
    }
}
