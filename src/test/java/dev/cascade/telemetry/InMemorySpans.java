package dev.cascade.telemetry;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.quarkus.arc.Unremovable;

/**
 * The SDK's in-memory exporter as a CDI bean: with tracing on ({@link TelemetryProfile}) the gateway's spans are
 * exported to it (the `cdi` exporter), where a test reads them back. With tracing off (every other test) it stays
 * empty.
 */
@Singleton
public class InMemorySpans {
    @Produces
    @Singleton
    @Unremovable
    InMemorySpanExporter exporter() {
        return InMemorySpanExporter.create();
    }
}
