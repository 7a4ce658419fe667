package dev.cascade.waterfall.providers;

import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Provider calls in progress across every provider of this process, and the most there ever were at once:
 * {@code cascade_provider_calls_in_flight} and {@code cascade_provider_calls_in_flight_max}. A call counts from the
 * moment its provider's bulkhead let it in until it ended, retries included.
 */
final class CallsInFlight {
    private final AtomicInteger now = new AtomicInteger();
    private final AtomicInteger peak = new AtomicInteger();

    CallsInFlight(MeterRegistry meters) {
        Gauge.builder("cascade.provider.calls.in.flight", now, AtomicInteger::get)
                .description("Provider calls in progress in this process, all providers together")
                .register(meters);
        Gauge.builder("cascade.provider.calls.in.flight.max", peak, AtomicInteger::get)
                .description("Most provider calls ever in progress at once in this process since it started")
                .register(meters);
    }

    void started() {
        int current = now.incrementAndGet();
        peak.accumulateAndGet(current, Math::max);
    }

    void ended() {
        now.decrementAndGet();
    }
}
