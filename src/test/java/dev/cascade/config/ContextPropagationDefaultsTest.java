package dev.cascade.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

/** Which thread contexts Mutiny's callbacks leave alone, as MicroProfile Context Propagation reads the setting. */
class ContextPropagationDefaultsTest {
    private static final String UNCHANGED = "mp.context.ThreadContext.unchanged";

    @Test
    void withTracingOffNeitherTheTransactionNorTheTraceContextIsPropagated() {
        assertThat(unchanged(Map.of("quarkus.otel.sdk.disabled", "true"))).isEqualTo("Transaction,OpenTelemetry");
    }

    @Test
    void withTracingOnTheTraceContextIsPropagated() {
        assertThat(unchanged(Map.of("quarkus.otel.sdk.disabled", "false"))).isEqualTo("Transaction");
        // Quarkus's own default is tracing on.
        assertThat(unchanged(Map.of())).isEqualTo("Transaction");
    }

    @Test
    void aProfileSpecificTracingSettingApplies() {
        assertThat(unchanged(Map.of("quarkus.otel.sdk.disabled", "true", "%local.quarkus.otel.sdk.disabled", "false")))
                .isEqualTo("Transaction");
    }

    @Test
    void anExplicitSettingIsKept() {
        assertThat(unchanged(Map.of("quarkus.otel.sdk.disabled", "true", UNCHANGED, "None")))
                .isEqualTo("None");
    }

    private static String unchanged(Map<String, String> properties) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .addDefaultInterceptors()
                .withInterceptors(new ContextPropagationDefaults())
                .withProfile("local")
                .withSources(new PropertiesConfigSource(new HashMap<>(properties), "test", 100))
                .build();
        return config.getValue(UNCHANGED, String.class);
    }
}
