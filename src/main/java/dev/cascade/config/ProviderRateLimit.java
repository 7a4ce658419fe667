package dev.cascade.config;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.WithDefault;

/**
 * A provider's quota (`cascade.providers.<name>.rate-limit.*`): the vendor's limit is per vendor account, so it is
 * counted for every gateway process together, in PostgreSQL (`provider_quota_pace`, see docs/resiliency.md). Each
 * process leases a block of permits at a time, each permit with its own moment; all processes together never send
 * more than `limit` calls in any `window`, whichever moment the window starts.
 */
public interface ProviderRateLimit {
    /** Calls allowed per window, for all gateway processes together (absent: no limit). */
    Optional<Integer> limit();

    /**
     * The window of `limit`. Permits are spread evenly over it (one every `window / limit`, a little more: see
     * docs/resiliency.md), so the vendor never sees a burst above its quota, not even at a window's edge, and
     * whichever clock it counts by.
     */
    @WithDefault("1s")
    Duration window();

    /**
     * How long a call over the limit waits for a permit before it is skipped (`rate limited`) and the waterfall moves
     * on; 0 skips at once. Keep it well under the task deadline.
     */
    @WithDefault("10s")
    Duration maxWait();

    /**
     * Room left in each window for the delivery jitter between the gateway and the vendor (a busy event loop, a new
     * connection, the network): permits are spaced `(window + lateness + margin) / limit` apart, so calls sent that
     * much closer together than planned still never reach the vendor more than `limit` in a window. Absent: a
     * twentieth of the window, at most 50 ms.
     */
    Optional<Duration> margin();

    /**
     * Most permits one process leases in one round trip to PostgreSQL (it leases only as many as it has calls
     * waiting). Absent: a tenth of `limit`, at least 1, so a process makes at most about ten leases per window
     * under full load whatever the number of calls.
     */
    Optional<Integer> leaseSize();
}
