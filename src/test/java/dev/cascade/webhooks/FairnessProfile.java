package dev.cascade.webhooks;

import java.time.Duration;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * A short attempt timeout (so a blackholed receiver holds a slot for 2 s, not 10 s) and a small in-flight cap per
 * organisation; the pending cap and the hourly limit stay at their defaults, so nothing here is dropped.
 */
public class FairnessProfile implements QuarkusTestProfile {
    static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(2);
    static final int IN_FLIGHT_PER_ORGANIZATION = 4;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "cascade.webhooks.timeout",
                ATTEMPT_TIMEOUT.toMillis() + "ms",
                "cascade.webhooks.fairness.in-flight-per-organization",
                Integer.toString(IN_FLIGHT_PER_ORGANIZATION));
    }
}
