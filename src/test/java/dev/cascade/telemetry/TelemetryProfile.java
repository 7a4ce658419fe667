package dev.cascade.telemetry;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * Tracing on, its spans exported to the in-memory exporter ({@link InMemorySpans}) instead of OTLP, and the log file
 * written as JSON lines to a file of its own.
 */
public class TelemetryProfile implements QuarkusTestProfile {
    static final String LOG = "target/cascade-telemetry-test.log";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "quarkus.otel.sdk.disabled", "false",
                // No collector here: the OTLP exporter stays out; the in-memory one is the CDI exporter.
                "quarkus.otel.exporter.otlp.enabled", "false",
                "quarkus.otel.bsp.schedule.delay", "50ms",
                "quarkus.log.file.json.enabled", "true",
                "quarkus.log.file.path", LOG);
    }
}
