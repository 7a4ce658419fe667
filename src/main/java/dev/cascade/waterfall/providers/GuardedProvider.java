package dev.cascade.waterfall.providers;

import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import jakarta.enterprise.util.TypeLiteral;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.logging.Log;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.TypedGuard;
import io.smallrye.mutiny.Uni;
import org.eclipse.microprofile.faulttolerance.exceptions.BulkheadException;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;

import dev.cascade.config.CascadeConfig.ProviderSettings;

/**
 * A provider behind its own guard, built from its settings: retry (exponential backoff with jitter, `Retry-After`
 * honoured up to a cap, retryable failures only) → rate limit (the vendor's quota, shared by every gateway process:
 * {@link SharedRateLimit}) → bulkhead → circuit breaker (named `provider-<name>`; misses and requests the vendor
 * refused for one contact never count) → timeout (per attempt).
 * Each provider's guard and state are its own, so one bad vendor never trips another.
 */
public final class GuardedProvider {
    /** Failure reasons of calls the guard did not let through (the trace shows them as `skipped`). */
    public static final String CIRCUIT_OPEN = "circuit open";

    public static final String BULKHEAD_FULL = "bulkhead full";
    public static final String RATE_LIMITED = "rate limited";
    public static final String DISABLED = "disabled";

    private final Provider provider;
    private final ProviderSettings settings;
    private final String breakerName;
    private static final TypeLiteral<Uni<ProviderOutcome>> UNI_OUTCOME = new TypeLiteral<>() {};

    private final TypedGuard<Uni<ProviderOutcome>> retryGuard;
    /** The vendor's quota, shared with every other gateway process; null without `rate-limit.limit`. */
    private final SharedRateLimit quota;

    private final TypedGuard<Uni<ProviderOutcome>> bulkheadGuard;
    private final TypedGuard<Uni<ProviderOutcome>> breakerGuard;
    private final MeterRegistry meters;
    private final java.util.Map<Capability, Timer> latencies = new java.util.EnumMap<>(Capability.class);
    private final java.util.Map<String, Counter> calls = new java.util.concurrent.ConcurrentHashMap<>();
    private final Counter rateLimitedCounter;
    private final AtomicReference<CircuitBreakerState> state = new AtomicReference<>(CircuitBreakerState.CLOSED);
    private final AtomicInteger running = new AtomicInteger();
    private final CallsInFlight inFlight;
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong opened = new AtomicLong();
    private final Counter retryCounter;
    private final Counter rejectedCounter;

    GuardedProvider(
            Provider provider,
            ProviderSettings settings,
            MeterRegistry meters,
            CallsInFlight inFlight,
            QuotaLeases quotas) {
        this.inFlight = inFlight;
        this.provider = provider;
        this.settings = settings;
        this.meters = meters;
        this.breakerName = "provider-" + provider.name();
        String name = provider.name();
        this.retryCounter = Counter.builder("cascade.provider.retries")
                .description("Provider calls retried after a retryable failure")
                .tag("provider", name)
                .register(meters);
        this.rejectedCounter = Counter.builder("cascade.provider.bulkhead.rejected")
                .description("Provider calls refused because the provider's bulkhead and its queue were full")
                .tag("provider", name)
                .register(meters);
        Gauge.builder("cascade.provider.circuit.state", state, s -> stateValue(s.get()))
                .description("Circuit breaker state of the provider: 0 closed, 1 half-open, 2 open")
                .tag("provider", name)
                .register(meters);
        Gauge.builder("cascade.provider.bulkhead.running", running, AtomicInteger::get)
                .description("Provider calls in progress inside the provider's bulkhead")
                .tag("provider", name)
                .register(meters);
        this.rateLimitedCounter = Counter.builder("cascade.provider.rate.limited")
                .description("Provider attempts held back by the provider's rate limit (each waits for a permit)")
                .tag("provider", name)
                .register(meters);
        for (Capability capability : Capability.values()) {
            latencies.put(
                    capability,
                    Timer.builder("cascade.provider.latency")
                            .description("Latency of provider calls, all attempts included")
                            .publishPercentileHistogram()
                            .tag("provider", name)
                            .tag("capability", capability.wire())
                            .register(meters));
        }
        this.retryGuard = retryGuard();
        this.quota = settings.rateLimit().limit().isPresent()
                ? new SharedRateLimit(name, settings.rateLimit(), quotas, rateLimitedCounter::increment)
                : null;
        this.bulkheadGuard = bulkheadGuard();
        this.breakerGuard = breakerGuard();
    }

    /**
     * The guard is four SmallRye guards nested so that each strategy sees only what it should (one guard's strategies
     * run in a fixed order that would let the breaker count our own rate-limit and bulkhead refusals, and let a
     * timeout cover time spent queueing):
     *
     * <ol>
     *   <li>retry of retryable vendor failures (outermost: every attempt takes its own permit and slot);
     *   <li>the rate limit ({@link SharedRateLimit}, not a SmallRye guard: the quota is per vendor account, so it is
     *       counted in PostgreSQL for every gateway process), whose calls wait for their permit up to
     *       `rate-limit.max-wait`;
     *   <li>the bulkhead;
     *   <li>the circuit breaker around the timed vendor call: it sees only vendor answers and timeouts.
     * </ol>
     */
    private TypedGuard<Uni<ProviderOutcome>> retryGuard() {
        ProviderSettings.Retry retry = settings.retry();
        TypedGuard.Builder<Uni<ProviderOutcome>> builder =
                TypedGuard.create(UNI_OUTCOME).withDescription("provider " + provider.name() + " retry");
        if (retry.maxRetries() > 0) {
            builder.withRetry()
                    .maxRetries(retry.maxRetries())
                    .delay(retry.delay().toMillis(), ChronoUnit.MILLIS)
                    .jitter(0, ChronoUnit.MILLIS)
                    .maxDuration(retry.maxDuration().toMillis(), ChronoUnit.MILLIS)
                    .whenException(failure -> RetryBackoff.retryable(failure, retry.retryAfterCap()))
                    .withCustomBackoff()
                    .strategy(() -> new RetryBackoff(retry))
                    .done()
                    .onRetry(this::retried)
                    .done();
        }
        return builder.build();
    }

    private TypedGuard<Uni<ProviderOutcome>> bulkheadGuard() {
        return TypedGuard.create(UNI_OUTCOME)
                .withDescription("provider " + provider.name() + " bulkhead")
                .withBulkhead()
                .limit(settings.bulkhead().limit())
                .queueSize(settings.bulkhead().queue())
                .onAccepted(() -> {
                    running.incrementAndGet();
                    inFlight.started();
                })
                .onFinished(() -> {
                    running.decrementAndGet();
                    inFlight.ended();
                })
                .onRejected(rejectedCounter::increment)
                .done()
                .build();
    }

    private TypedGuard<Uni<ProviderOutcome>> breakerGuard() {
        TypedGuard.Builder<Uni<ProviderOutcome>> builder =
                TypedGuard.create(UNI_OUTCOME).withDescription("provider " + provider.name());
        ProviderSettings.Breaker breaker = settings.breaker();
        if (breaker.enabled()) {
            builder.withCircuitBreaker()
                    .name(breakerName)
                    .requestVolumeThreshold(breaker.requestVolume())
                    .failureRatio(breaker.failureRatio())
                    .delay(breaker.delay().toMillis(), ChronoUnit.MILLIS)
                    .successThreshold(breaker.successThreshold())
                    .when(GuardedProvider::countsAgainstProvider)
                    .onStateChange(this::stateChanged)
                    .done();
        }
        return builder.withTimeout()
                .duration(settings.timeout().toMillis(), ChronoUnit.MILLIS)
                .done()
                .build();
    }

    /**
     * Only vendor answers and timeouts reach the breaker; misses are not exceptions at all, and of the failures only
     * those saying something about the vendor count (not a request the vendor refused for one contact).
     */
    private static boolean countsAgainstProvider(Throwable failure) {
        if (failure instanceof ProviderFailureException provider) {
            return provider.failure().providerFault();
        }
        return true;
    }

    private void retried() {
        retries.incrementAndGet();
        retryCounter.increment();
    }

    private void stateChanged(CircuitBreakerState next) {
        CircuitBreakerState previous = state.getAndSet(next);
        if (next == CircuitBreakerState.OPEN) {
            opened.incrementAndGet();
            Log.warnf(
                    "Circuit breaker of provider %s opened; calls are skipped for %s",
                    provider.name(), settings.breaker().delay());
        } else if (previous != next) {
            Log.infof("Circuit breaker of provider %s is %s", provider.name(), wire(next));
        }
    }

    public Provider provider() {
        return provider;
    }

    public String name() {
        return provider.name();
    }

    public ProviderSettings settings() {
        return settings;
    }

    /** Whether the provider may be called: enabled in configuration and ready (credentials present). */
    public boolean usable() {
        return settings.enabled() && provider.notReady().isEmpty();
    }

    /**
     * Calls the provider through its guard. Never fails: whatever goes wrong becomes a {@code Failure} with a short
     * reason; calls the guard refused carry {@link #CIRCUIT_OPEN}, {@link #BULKHEAD_FULL} or {@link #RATE_LIMITED}.
     */
    public Uni<ProviderOutcome> call(Capability capability, ProviderQuery query) {
        if (!usable()) {
            return Uni.createFrom().item(record(capability, 0, ProviderOutcome.Failure.permanent(DISABLED)));
        }
        Attempts attempts = new Attempts();
        return Uni.createFrom().deferred(() -> {
            long started = System.nanoTime();
            return Uni.createFrom()
                    // Bulkhead before the quota: a call leaves at its permit's moment, never after waiting for
                    // a bulkhead slot (which would bunch calls past the vendor's quota when a slow vendor recovers).
                    .deferred(() -> retryGuard.get(() -> bulkheadGuard.get(
                            () -> paced(() -> breakerGuard.get(() -> attempt(capability, query, attempts))))))
                    .onFailure()
                    .recoverWithItem(failure -> fromGuard(failure, attempts))
                    .map(outcome -> record(capability, System.nanoTime() - started, outcome));
        });
    }

    private Uni<ProviderOutcome> paced(java.util.function.Supplier<Uni<ProviderOutcome>> call) {
        return quota == null ? call.get() : quota.acquire().chain(() -> call.get());
    }

    /** The attempts of one call: how many reached the vendor and how the last one failed. */
    private static final class Attempts {
        private final AtomicInteger made = new AtomicInteger();
        private final AtomicReference<ProviderOutcome.Failure> lastFailure = new AtomicReference<>();
    }

    private Uni<ProviderOutcome> attempt(Capability capability, ProviderQuery query, Attempts attempts) {
        attempts.made.incrementAndGet();
        return Uni.createFrom()
                .deferred(() -> provider.lookup(capability, query))
                .onFailure()
                .recoverWithItem(failure -> {
                    Log.warnf(
                            "Provider %s failed unexpectedly: %s",
                            provider.name(), failure.getClass().getSimpleName());
                    return ProviderOutcome.Failure.transientFault("provider error");
                })
                .chain(outcome -> {
                    if (outcome instanceof ProviderOutcome.Failure failure) {
                        attempts.lastFailure.set(failure);
                        return Uni.createFrom().failure(new ProviderFailureException(failure));
                    }
                    return Uni.createFrom().item(outcome);
                });
    }

    private static ProviderOutcome fromGuard(Throwable failure, Attempts attempts) {
        int made = attempts.made.get();
        String suffix = made > 1 ? " after " + made + " attempts" : "";
        if (failure instanceof ProviderFailureException provider) {
            ProviderOutcome.Failure f = provider.failure();
            return new ProviderOutcome.Failure(f.reason() + suffix, f.retryable(), f.retryAfter(), f.providerFault());
        }
        if (failure instanceof TimeoutException) {
            return ProviderOutcome.Failure.transientFault("timeout" + suffix);
        }
        ProviderOutcome.Failure last = attempts.lastFailure.get();
        if (last != null) {
            // The vendor was asked and failed; a retry was then refused by the guard (the breaker opened meanwhile).
            String then = failure instanceof CircuitBreakerOpenException ? ", then circuit open" : ", then refused";
            return new ProviderOutcome.Failure(last.reason() + suffix + then, last.retryable(), null, true);
        }
        if (failure instanceof CircuitBreakerOpenException) {
            return new ProviderOutcome.Failure(CIRCUIT_OPEN, true, null, false);
        }
        if (failure instanceof BulkheadException) {
            return new ProviderOutcome.Failure(BULKHEAD_FULL, true, null, false);
        }
        if (failure instanceof QuotaExceededException) {
            return new ProviderOutcome.Failure(RATE_LIMITED, true, null, false);
        }
        if (failure instanceof TimeoutException) {
            return ProviderOutcome.Failure.transientFault("timeout" + suffix);
        }
        Log.warnf(
                "Guard of a provider failed unexpectedly: %s",
                failure.getClass().getSimpleName());
        return ProviderOutcome.Failure.transientFault("provider error");
    }

    private ProviderOutcome record(Capability capability, long nanos, ProviderOutcome outcome) {
        String kind = kind(outcome);
        switch (kind) {
            case "hit" -> hits.incrementAndGet();
            case "miss" -> misses.incrementAndGet();
            case "skipped" -> skipped.incrementAndGet();
            default -> errors.incrementAndGet();
        }
        calls.computeIfAbsent(
                        capability.wire() + "/" + kind,
                        key -> Counter.builder("cascade.provider.calls")
                                .description("Provider calls by capability and outcome (hit, miss, error, skipped)")
                                .tag("provider", provider.name())
                                .tag("capability", capability.wire())
                                .tag("outcome", kind)
                                .register(meters))
                .increment();
        if (!"skipped".equals(kind)) {
            latencies.get(capability).record(nanos, TimeUnit.NANOSECONDS);
        }
        return outcome;
    }

    /** The trace's word for an outcome: `hit`, `miss`, `error`, or `skipped` when the guard let no call out. */
    public static String kind(ProviderOutcome outcome) {
        if (outcome instanceof ProviderOutcome.Hit) {
            return "hit";
        }
        if (outcome instanceof ProviderOutcome.Miss) {
            return "miss";
        }
        String reason = ((ProviderOutcome.Failure) outcome).reason();
        return CIRCUIT_OPEN.equals(reason)
                        || BULKHEAD_FULL.equals(reason)
                        || RATE_LIMITED.equals(reason)
                        || DISABLED.equals(reason)
                ? "skipped"
                : "error";
    }

    /** The breaker's state now (`closed`, `open`, `half_open`; `none` without a breaker). */
    public String circuitState() {
        if (!settings.breaker().enabled()) {
            return "none";
        }
        try {
            return wire(CircuitBreakerMaintenance.get().currentState(breakerName));
        } catch (RuntimeException notYetUsed) {
            return wire(state.get());
        }
    }

    /** Closes the breaker and forgets its window (operator action, and tests). */
    public void resetCircuit() {
        if (settings.breaker().enabled()) {
            try {
                CircuitBreakerMaintenance.get().reset(breakerName);
            } catch (RuntimeException notYetUsed) {
                // A breaker that was never called has nothing to reset.
            }
            state.set(CircuitBreakerState.CLOSED);
        }
    }

    public Counters counters() {
        return new Counters(
                hits.get(), misses.get(), errors.get(), skipped.get(), retries.get(), opened.get(), running.get());
    }

    /**
     * Latency of the calls made since start (every attempt of a call included, guard refusals left out), all
     * capabilities together: how many, their mean, and the longest of the recent ones (the timer's decaying maximum).
     */
    public Latency latency() {
        long count = 0;
        double totalMs = 0;
        double maxMs = 0;
        for (Timer timer : latencies.values()) {
            count += timer.count();
            totalMs += timer.totalTime(TimeUnit.MILLISECONDS);
            maxMs = Math.max(maxMs, timer.max(TimeUnit.MILLISECONDS));
        }
        return new Latency(count, count == 0 ? null : round(totalMs / count), count == 0 ? null : round(maxMs));
    }

    private static Double round(double ms) {
        return Math.round(ms * 10) / 10.0;
    }

    /** Timed calls, their mean and recent maximum in milliseconds (null before the first call). */
    public record Latency(long calls, Double meanMs, Double maxMs) {}

    /** Calls since start by outcome, retries, times the breaker opened, calls in progress. */
    public record Counters(
            long hit, long miss, long error, long skipped, long retries, long circuitOpened, int inProgress) {}

    private static double stateValue(CircuitBreakerState state) {
        return switch (state) {
            case CLOSED -> 0;
            case HALF_OPEN -> 1;
            case OPEN -> 2;
        };
    }

    private static String wire(CircuitBreakerState state) {
        return state.name().toLowerCase(Locale.ROOT);
    }
}
