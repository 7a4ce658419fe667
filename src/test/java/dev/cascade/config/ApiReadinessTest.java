package dev.cascade.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

/**
 * Whether a Kafka channel's broker connection counts for readiness, as SmallRye Reactive Messaging reads it: not in a
 * process that accepts submits (they are durable and dispatched later), still in a worker-only process.
 */
class ApiReadinessTest {
    private static final String TASKS_IN = "mp.messaging.incoming.tasks-in.health-readiness-enabled";
    private static final String RESULTS_IN = "mp.messaging.incoming.results-in.health-readiness-enabled";
    private static final String WORKFLOWS_OUT = "mp.messaging.outgoing.workflows-out.health-readiness-enabled";
    private static final String CANCELLED_OUT = "mp.messaging.outgoing.cancelled-results-out.health-readiness-enabled";

    @Test
    void anApiProcessStaysReadyWithoutTheBroker() {
        SmallRyeConfig config = config(Map.of("cascade.roles", "api"));
        assertThat(readiness(config, WORKFLOWS_OUT)).isFalse();
        assertThat(readiness(config, CANCELLED_OUT)).isFalse();
    }

    @Test
    void theDefaultAllRolesProcessServesTheApiSoNoChannelGatesItsReadiness() {
        SmallRyeConfig config = config(Map.of());
        for (String key : new String[] {TASKS_IN, RESULTS_IN, WORKFLOWS_OUT, CANCELLED_OUT}) {
            assertThat(readiness(config, key)).as(key).isFalse();
        }
    }

    @Test
    void aWorkerOnlyProcessKeepsTheConnectorsReadiness() {
        SmallRyeConfig config = config(Map.of("cascade.roles", "waterfall,aggregator,webhooks"));
        for (String key : new String[] {TASKS_IN, RESULTS_IN, WORKFLOWS_OUT, CANCELLED_OUT}) {
            assertThat(config.getOptionalValue(key, Boolean.class)).as(key).isEmpty();
        }
    }

    @Test
    void anExplicitSettingIsHonoured() {
        SmallRyeConfig config = config(Map.of("cascade.roles", "api", WORKFLOWS_OUT, "true"));
        assertThat(readiness(config, WORKFLOWS_OUT)).isTrue();
    }

    @Test
    void otherAttributesAndChannelsAreLeftAlone() {
        SmallRyeConfig config = config(Map.of("cascade.roles", "api"));
        assertThat(config.getOptionalValue("mp.messaging.outgoing.workflows-out.health-enabled", Boolean.class))
                .isEmpty();
        assertThat(config.getOptionalValue("mp.messaging.outgoing.other.health-readiness-enabled", Boolean.class))
                .isEmpty();
    }

    private static SmallRyeConfig config(Map<String, String> properties) {
        return new SmallRyeConfigBuilder()
                .addDefaultInterceptors()
                .withInterceptors(new ApiReadiness())
                .withSources(new PropertiesConfigSource(new HashMap<>(properties), "test", 100))
                .build();
    }

    private static boolean readiness(SmallRyeConfig config, String key) {
        return config.getValue(key, Boolean.class);
    }
}
