package dev.cascade.intake;

import java.util.List;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

import dev.cascade.testing.KafkaResource;
import dev.cascade.testing.PostgresResource;

/**
 * The prod profile's provider switches with no vendor configured: the simulator off (its default outside local and
 * test), no waterfall order set and no vendor API key. Only Kafka and PostgreSQL are started: the suite's vendor
 * stubs and mail servers would configure vendors.
 */
public class NoVendorProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("cascade.simulator.enabled", "false");
    }

    @Override
    public boolean disableGlobalTestResources() {
        return true;
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(KafkaResource.class), new TestResourceEntry(PostgresResource.class));
    }
}
