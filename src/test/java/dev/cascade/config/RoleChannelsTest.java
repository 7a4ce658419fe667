package dev.cascade.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

/** The consumers' `enabled` attributes as SmallRye Reactive Messaging reads them, derived from the roles. */
class RoleChannelsTest {
    private static final String TASKS_IN = "mp.messaging.incoming.tasks-in.enabled";
    private static final String RESULTS_IN = "mp.messaging.incoming.results-in.enabled";
    private static final String TASKS_OUT = "mp.messaging.outgoing.tasks-out.enabled";

    @Test
    void everyConsumerRunsByDefault() {
        SmallRyeConfig config = config(Map.of());
        assertThat(enabled(config, TASKS_IN)).isTrue();
        assertThat(enabled(config, RESULTS_IN)).isTrue();
    }

    @Test
    void anApiProcessOpensNoConsumer() {
        SmallRyeConfig config = config(Map.of("cascade.roles", "api"));
        assertThat(enabled(config, TASKS_IN)).isFalse();
        assertThat(enabled(config, RESULTS_IN)).isFalse();
        // Channels no role owns are left as configured (here: not set at all).
        assertThat(config.getOptionalValue(TASKS_OUT, Boolean.class)).isEmpty();
    }

    @Test
    void eachWorkerRoleOpensOnlyItsConsumer() {
        SmallRyeConfig waterfall = config(Map.of("cascade.roles", "waterfall"));
        assertThat(enabled(waterfall, TASKS_IN)).isTrue();
        assertThat(enabled(waterfall, RESULTS_IN)).isFalse();
        SmallRyeConfig aggregator = config(Map.of("cascade.roles", "aggregator,webhooks"));
        assertThat(enabled(aggregator, TASKS_IN)).isFalse();
        assertThat(enabled(aggregator, RESULTS_IN)).isTrue();
    }

    @Test
    void aProfileSpecificRoleListApplies() {
        SmallRyeConfig config = config(Map.of("cascade.roles", "all", "%local.cascade.roles", "api"));
        assertThat(enabled(config, TASKS_IN)).isFalse();
    }

    @Test
    void anExplicitDisableIsKeptButARoleCannotBeOverriddenOn() {
        SmallRyeConfig withRole = config(Map.of("cascade.roles", "all", TASKS_IN, "false"));
        assertThat(enabled(withRole, TASKS_IN)).isFalse();
        SmallRyeConfig withoutRole = config(Map.of("cascade.roles", "api", RESULTS_IN, "true"));
        assertThat(enabled(withoutRole, RESULTS_IN)).isFalse();
    }

    @Test
    void anUnknownRoleLeavesTheChannelsAloneForStartUpValidationToRefuse() {
        SmallRyeConfig config = config(Map.of("cascade.roles", "api,bogus"));
        assertThat(config.getOptionalValue(TASKS_IN, Boolean.class)).isEmpty();
    }

    private static SmallRyeConfig config(Map<String, String> properties) {
        return new SmallRyeConfigBuilder()
                .addDefaultInterceptors()
                .withInterceptors(new RoleChannels())
                .withProfile("local")
                .withSources(new PropertiesConfigSource(new HashMap<>(properties), "test", 100))
                .build();
    }

    private static boolean enabled(SmallRyeConfig config, String key) {
        return config.getValue(key, Boolean.class);
    }
}
