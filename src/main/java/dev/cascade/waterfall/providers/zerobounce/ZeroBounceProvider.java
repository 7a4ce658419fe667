package dev.cascade.waterfall.providers.zerobounce;

import java.time.Duration;
import java.util.Locale;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpRequest;

import dev.cascade.waterfall.providers.Capability;
import dev.cascade.waterfall.providers.EmailStatus;
import dev.cascade.waterfall.providers.ProviderContext;
import dev.cascade.waterfall.providers.ProviderData;
import dev.cascade.waterfall.providers.ProviderOutcome;
import dev.cascade.waterfall.providers.ProviderOutcome.Failure;
import dev.cascade.waterfall.providers.ProviderQuery;
import dev.cascade.waterfall.providers.VendorProvider;
import dev.cascade.waterfall.providers.VendorResponse;

/**
 * ZeroBounce v2 `GET /validate`. The trap: a bad key and an account out of credits are not an HTTP error but a 200
 * whose body is only `{"error":"Invalid API Key or your account ran out of credits"}` (some clients see it as a 400,
 * some with the message in an array), so the body is read before the status is trusted (VENDORS.md §5).
 */
final class ZeroBounceProvider extends VendorProvider {
    static final String DEFAULT_BASE_URL = "https://api.zerobounce.net/v2";

    /** ZeroBounce's `timeout` parameter takes 3 to 60 seconds; on expiry it answers `unknown` (not charged). */
    static final int MIN_VENDOR_TIMEOUT = 3;

    static final int MAX_VENDOR_TIMEOUT = 60;

    /** Time left for the network, so ZeroBounce gives up (and answers) before our own timeout fires. */
    private static final Duration NETWORK_MARGIN = Duration.ofSeconds(1);

    static final String BAD_KEY_OR_CREDITS = "invalid API key or out of credits";

    private final String baseUrl;
    private final int vendorTimeout;

    ZeroBounceProvider(ProviderContext context) {
        super(context, ZeroBounceProviderFactory.TYPE, Set.of(Capability.VERIFY));
        this.baseUrl = context.baseUrl(DEFAULT_BASE_URL);
        this.vendorTimeout = vendorTimeout(context.timeout());
    }

    /** The `timeout` sent to ZeroBounce: a little under ours, so a slow mail server ends as `unknown`, not ours. */
    static int vendorTimeout(Duration timeout) {
        long seconds = timeout.minus(NETWORK_MARGIN).toSeconds();
        return (int) Math.max(MIN_VENDOR_TIMEOUT, Math.min(MAX_VENDOR_TIMEOUT, seconds));
    }

    @Override
    public Uni<ProviderOutcome> lookup(Capability capability, ProviderQuery query) {
        if (capability != Capability.VERIFY) {
            return Uni.createFrom().item(Failure.rejected("unsupported capability"));
        }
        String email = query.email();
        if (email == null || email.isBlank()) {
            return notAskable();
        }
        HttpRequest<Buffer> request = context.http()
                .request(HttpMethod.GET, baseUrl + "/validate")
                .addQueryParam("api_key", apiKey())
                .addQueryParam("email", email.trim())
                // Required by the API even when empty: the IP only adds geolocation, which we do not use.
                .addQueryParam("ip_address", "")
                .addQueryParam("timeout", Integer.toString(vendorTimeout));
        return context.http().send(request, context.timeout(), null, ZeroBounceProvider::answer);
    }

    private static ProviderOutcome answer(VendorResponse response) {
        JsonNode body = response.jsonOrMissing();
        String error = errorMessage(body);
        if (error != null && (response.status() == 200 || response.status() == 400)) {
            return badKeyOrCredits(error) ? Failure.permanent(BAD_KEY_OR_CREDITS) : rejected(response);
        }
        return switch (response.status()) {
            case 200 -> verdict(body);
            // ZeroBounce's "API Shield" (not an authentication error): a timed block of the calling client after too
            // many requests or too many bad ones (1 minute to 1 hour). An immediate retry cannot lift it, so the call
            // is not retried; it counts against the breaker, which then rests the provider.
            case 403 ->
                response.retryAfter() != null
                        ? Failure.throttled("HTTP 403", response.retryAfter())
                        : Failure.permanent("HTTP 403");
            default -> response.unexpected();
        };
    }

    private static ProviderOutcome rejected(VendorResponse response) {
        return Failure.rejected(response.status() == 200 ? "vendor error" : "HTTP " + response.status());
    }

    private static ProviderOutcome verdict(JsonNode body) {
        String status = VendorResponse.text(body, "status");
        if (status == null) {
            return Failure.permanent("malformed response");
        }
        String subStatus = VendorResponse.text(body, "sub_status");
        String sub = subStatus == null ? "" : subStatus.toLowerCase(Locale.ROOT);
        EmailStatus mapped;
        switch (status.toLowerCase(Locale.ROOT)) {
            case "valid" ->
                mapped = sub.equals("accept_all") || sub.equals("role_based_accept_all")
                        ? EmailStatus.RISKY
                        : EmailStatus.RELIABLE;
            case "catch-all" -> mapped = EmailStatus.RISKY;
            case "invalid", "spamtrap", "abuse", "do_not_mail" -> mapped = EmailStatus.INVALID;
            default -> {
                // A greylisting or temporarily failing mail server will usually answer a repeat a little later;
                // `unknown` is free, so asking again costs nothing.
                if (sub.equals("greylisted")) {
                    return Failure.transientFault("greylisted");
                }
                if (sub.equals("mail_server_temporary_error")) {
                    return Failure.transientFault("mail server temporary error");
                }
                mapped = EmailStatus.UNKNOWN;
            }
        }
        return new ProviderOutcome.Hit(ProviderData.verified(mapped));
    }

    /** The `error` of an error body, as a string or as the first element of an array; null for a verdict. */
    static String errorMessage(JsonNode body) {
        if (!body.isObject() || body.hasNonNull("status")) {
            return null;
        }
        JsonNode error = body.get("error");
        if (error == null || error.isNull()) {
            return null;
        }
        if (error.isArray()) {
            return error.isEmpty() ? "" : error.get(0).asText("");
        }
        return error.asText("");
    }

    private static boolean badKeyOrCredits(String message) {
        String lower = message.toLowerCase(Locale.ROOT);
        return lower.contains("api key") || lower.contains("credit");
    }
}
