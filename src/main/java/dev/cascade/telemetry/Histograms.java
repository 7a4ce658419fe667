package dev.cascade.telemetry;

import java.time.Duration;
import java.util.Set;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;

/**
 * Histogram buckets (`_bucket` series on /q/metrics) for the timers that have none of their own: the HTTP server's
 * requests and the webhook attempts, so that p95/p99 can be computed across pods with {@code histogram_quantile}.
 * The task timers (`cascade.waterfall.tasks`, `cascade.task.settle.delay`, `cascade.task.turnaround`) and the provider
 * latency publish theirs where they are built. The buckets run from 1 ms to 30 s (about 70 per series); a request's
 * URI tag is its route template, so the series stay few.
 */
@Singleton
public class Histograms {
    static final Set<String> TIMERS = Set.of("http.server.requests", "cascade.webhooks.attempts");

    @Produces
    @Singleton
    MeterFilter timerHistograms() {
        return new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                if (!TIMERS.contains(id.getName())) {
                    return config;
                }
                return DistributionStatisticConfig.builder()
                        .percentilesHistogram(true)
                        .minimumExpectedValue((double) Duration.ofMillis(1).toNanos())
                        .maximumExpectedValue((double) Duration.ofSeconds(30).toNanos())
                        .build()
                        .merge(config);
            }
        };
    }
}
