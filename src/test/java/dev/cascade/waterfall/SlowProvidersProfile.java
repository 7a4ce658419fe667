package dev.cascade.waterfall;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** Every simulated provider call takes 1.5 s and a task may take 2.5 s in all. */
public class SlowProvidersProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "cascade.simulator.latency-min", "1500ms",
                "cascade.simulator.latency-max", "1500ms",
                "cascade.waterfall.task-deadline", "2500ms");
    }
}
