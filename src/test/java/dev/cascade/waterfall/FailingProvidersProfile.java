package dev.cascade.waterfall;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** Every simulated provider call fails, as when every vendor is down. */
public class FailingProvidersProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("cascade.simulator.error-rate", "1.0");
    }
}
