package dev.cascade.config;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.WithDefault;

/**
 * The operator API (`/api/v1/admin`): its token, checked at start-up, and the throttle on failed authentication per
 * client address (docs/operations.md, "Operator token").
 */
public interface AdminSettings {

    /**
     * Operator token for `/api/v1/admin` (`GATEWAY_ADMIN_TOKEN`). Unset or empty: the operator API is closed (every
     * request answers 401). Set: at least 32 characters, no whitespace, not the template's `REPLACE_ME` placeholder
     * and not a `clapi_` key, or the gateway refuses to start.
     */
    Optional<String> token();

    /** Throttling of failed operator authentication. */
    AuthThrottle authThrottle();

    interface AuthThrottle {
        /**
         * Wrong operator tokens one client address (an IPv6 client: its /64) may present before it is refused with
         * 429 and `Retry-After`; while refused, even the right token is not checked.
         */
        @WithDefault("10")
        int burst();

        /** Time in which one more wrong token is allowed again (the bucket refills one attempt per period). */
        @WithDefault("6s")
        Duration refillPeriod();

        /**
         * Client addresses tracked at once; beyond this, new addresses share one bucket, so a flood of addresses
         * cannot grow memory or multiply the attempts.
         */
        @WithDefault("10000")
        int maxTracked();
    }
}
