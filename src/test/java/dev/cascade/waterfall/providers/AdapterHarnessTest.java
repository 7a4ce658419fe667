package dev.cascade.waterfall.providers;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class AdapterHarnessTest {

    @Test
    void buildsProviderSettingsWithDefaultsAndOverrides() {
        try (AdapterHarness harness = new AdapterHarness()) {
            ProviderContext context = harness.context("hunter", "base-url", "http://127.0.0.1:9/v2/", "timeout", "2s");
            assertThat(context.apiKey()).isEqualTo("test-key");
            assertThat(context.baseUrl("https://api.hunter.io/v2")).isEqualTo("http://127.0.0.1:9/v2");
            assertThat(context.timeout()).isEqualTo(Duration.ofSeconds(2));
            assertThat(context.settings().retry().maxRetries()).isEqualTo(2);
        }
    }

    @Test
    void providerSettingsCanComeFromEnvironmentVariables() {
        // What k8s/base/gateway.env relies on: CASCADE_PROVIDERS_<NAME>_<KEY> for a provider that
        // application.properties (or any source) declares.
        io.smallrye.config.SmallRyeConfig config = new io.smallrye.config.SmallRyeConfigBuilder()
                .withMapping(dev.cascade.config.CascadeConfig.class)
                .withConverter(Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                .withSources(new io.smallrye.config.PropertiesConfigSource(
                        java.util.Map.of("cascade.providers.hunter.type", "hunter"), "app", 250))
                .withSources(new io.smallrye.config.EnvConfigSource(
                        java.util.Map.of(
                                "CASCADE_PROVIDERS_HUNTER_TIMEOUT", "9s",
                                "CASCADE_PROVIDERS_HUNTER_RATE_LIMIT_LIMIT", "7"),
                        300))
                .addDefaultInterceptors()
                .build();
        var hunter = config.getConfigMapping(dev.cascade.config.CascadeConfig.class)
                .providers()
                .get("hunter");
        assertThat(hunter.timeout()).isEqualTo(Duration.ofSeconds(9));
        assertThat(hunter.rateLimit().limit()).contains(7);
    }

    @Test
    void connectionRefusedIsATransientFailure() {
        try (AdapterHarness harness = new AdapterHarness()) {
            ProviderContext context = harness.context("x");
            ProviderOutcome outcome = AdapterHarness.await(context.http()
                    .send(
                            context.http().request(io.vertx.core.http.HttpMethod.GET, "http://127.0.0.1:9/"),
                            Duration.ofSeconds(2),
                            null,
                            VendorResponse::unexpected));
            assertThat(outcome).isEqualTo(ProviderOutcome.Failure.transientFault("connection refused"));
        }
    }
}
