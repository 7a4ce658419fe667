package dev.cascade.waterfall.providers.neverbounce;

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
 * NeverBounce v4 `GET /single/check`. The trap: API errors (bad key, throttling, outages) arrive as HTTP 200 with a
 * top-level `status` other than `success`, so the body's `status` decides before the HTTP status does (VENDORS.md
 * §6). The address goes in the query string: a `+` must travel as `%2B` or NeverBounce reads it as a space (the
 * client percent-encodes every reserved character).
 */
final class NeverBounceProvider extends VendorProvider {
    static final String DEFAULT_BASE_URL = "https://api.neverbounce.com/v4";

    /** Time left for the network, so NeverBounce gives up (and answers `unknown`) before our own timeout fires. */
    private static final Duration NETWORK_MARGIN = Duration.ofSeconds(1);

    private final String baseUrl;
    private final int vendorTimeout;

    NeverBounceProvider(ProviderContext context) {
        super(context, NeverBounceProviderFactory.TYPE, Set.of(Capability.VERIFY));
        this.baseUrl = context.baseUrl(DEFAULT_BASE_URL);
        this.vendorTimeout = vendorTimeout(context.timeout());
    }

    /** The `timeout` (seconds) sent to NeverBounce: a little under ours, at least one second. */
    static int vendorTimeout(Duration timeout) {
        return (int) Math.max(
                1, Math.min(Integer.MAX_VALUE, timeout.minus(NETWORK_MARGIN).toSeconds()));
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
                .request(HttpMethod.GET, baseUrl + "/single/check")
                .addQueryParam("key", apiKey())
                .addQueryParam("email", email.trim())
                .addQueryParam("timeout", Integer.toString(vendorTimeout));
        return context.http().send(request, context.timeout(), null, NeverBounceProvider::answer);
    }

    private static ProviderOutcome answer(VendorResponse response) throws java.io.IOException {
        if (response.status() != 200) {
            return response.unexpected();
        }
        JsonNode body = response.json();
        String status = VendorResponse.text(body, "status");
        if (status == null) {
            return Failure.permanent("malformed response");
        }
        return switch (status.toLowerCase(Locale.ROOT)) {
            case "success" -> verdict(body);
            case "auth_failure" -> Failure.permanent("auth failure");
            // The key is restricted to other referrers (an API key setting): only an operator can fix it.
            case "bad_referrer" -> Failure.permanent("bad referrer");
            case "throttle_triggered" -> Failure.throttled("throttled", response.retryAfter());
            case "temp_unavail" -> Failure.transientFault("temporarily unavailable");
            case "general_failure" -> generalFailure(VendorResponse.text(body, "message"));
            default -> Failure.permanent("unexpected status");
        };
    }

    /**
     * NeverBounce documents no separate status for an account without credits; its message is the only hint, and
     * retrying would not help, so such a failure is permanent. Any other general failure is treated as transient.
     */
    private static ProviderOutcome generalFailure(String message) {
        if (message != null && message.toLowerCase(Locale.ROOT).contains("credit")) {
            return Failure.permanent("out of credits");
        }
        return Failure.transientFault("general failure");
    }

    private static ProviderOutcome verdict(JsonNode body) {
        String result = VendorResponse.text(body, "result");
        if (result == null) {
            return Failure.permanent("malformed response");
        }
        EmailStatus status = switch (result.toLowerCase(Locale.ROOT)) {
            case "valid" -> EmailStatus.RELIABLE;
            case "catchall" -> EmailStatus.RISKY;
            case "invalid", "disposable" -> EmailStatus.INVALID;
            default -> EmailStatus.UNKNOWN;
        };
        return new ProviderOutcome.Hit(ProviderData.verified(status));
    }
}
