package dev.cascade.webhooks;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * The contract's schedule scaled down so a test can watch it end to end: the fast tier at a tenth (at once, then 0.1,
 * 0.2, 0.4, 0.8, 1.6 s), then a slow tier of two 3 s steps; eight attempts in all. Payloads carry at most 2 results.
 */
public class ScaledScheduleProfile implements QuarkusTestProfile {
    static final int FAST_TIER_ATTEMPTS = 6;
    static final int ALL_ATTEMPTS = 8;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "cascade.webhooks.schedule", "0s,100ms,200ms,400ms,800ms,1600ms,3s,3s",
                "cascade.webhooks.poll-interval", "1s",
                "cascade.webhooks.results-limit", "2");
    }
}
