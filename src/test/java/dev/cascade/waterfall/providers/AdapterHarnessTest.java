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
