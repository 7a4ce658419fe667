package dev.cascade.waterfall.providers.simulated;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

import dev.cascade.config.CascadeConfig;
import dev.cascade.waterfall.providers.Capability;
import dev.cascade.waterfall.providers.Provider;
import dev.cascade.waterfall.providers.ProviderOutcome;
import dev.cascade.waterfall.providers.ProviderQuery;

/**
 * Base of the built-in simulated vendors: deterministic answers per contact, with configurable latency and a
 * configurable rate of transient errors (errors are random on purpose: they model outages, not data).
 */
abstract class SimulatedProvider implements Provider {
    private final String name;
    private final Set<Capability> capabilities;
    protected final CascadeConfig.Simulator config;

    SimulatedProvider(String name, Set<Capability> capabilities, CascadeConfig.Simulator config) {
        this.name = name;
        this.capabilities = capabilities;
        this.config = config;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String type() {
        return "simulated";
    }

    @Override
    public Set<Capability> capabilities() {
        return capabilities;
    }

    @Override
    public Uni<ProviderOutcome> lookup(Capability capability, ProviderQuery query) {
        Uni<ProviderOutcome> answer = Uni.createFrom().item(() -> answerOrError(() -> answer(capability, query)));
        Duration latency = latency();
        if (latency.isZero()) {
            return answer;
        }
        Context context = Vertx.currentContext();
        if (context == null) {
            return answer.onItem().delayIt().by(latency);
        }
        // Like a vendor's HTTP answer, the simulated one arrives on the caller's event loop (a Vert.x timer), not on
        // a scheduler thread that every call would then hop back from.
        long delay = latency.toMillis();
        return Uni.createFrom()
                .emitter(emitter -> context.runOnContext(ignored -> {
                    long timer = context.owner()
                            .setTimer(delay, fired -> answer.subscribe().with(emitter::complete, emitter::fail));
                    // A caller that gives up (the guard's timeout) does not leave the timer behind.
                    emitter.onTermination(() -> context.owner().cancelTimer(timer));
                }));
    }

    protected abstract ProviderOutcome answer(Capability capability, ProviderQuery query);

    private ProviderOutcome answerOrError(Supplier<ProviderOutcome> answer) {
        if (config.errorRate() > 0 && ThreadLocalRandom.current().nextDouble() < config.errorRate()) {
            return ProviderOutcome.Failure.transientFault("HTTP 503");
        }
        return answer.get();
    }

    private Duration latency() {
        long min = config.latencyMin().toMillis();
        long max = Math.max(min, config.latencyMax().toMillis());
        return Duration.ofMillis(min == max ? min : ThreadLocalRandom.current().nextLong(min, max + 1));
    }
}
