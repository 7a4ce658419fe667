package dev.cascade.waterfall;

import java.util.ArrayList;
import java.util.List;

import dev.cascade.events.TraceStep;
import dev.cascade.waterfall.providers.Capability;
import dev.cascade.waterfall.providers.ProviderOutcome;

/** The provider steps of one task, in the order they finished (both waterfalls of `full` may interleave). */
final class Trace {
    private final List<TraceStep> steps = new ArrayList<>();

    synchronized void add(String provider, Capability capability, ProviderOutcome outcome, long startedNanos) {
        long latency = (System.nanoTime() - startedNanos) / 1_000_000;
        String kind;
        String detail = null;
        if (outcome instanceof ProviderOutcome.Hit) {
            kind = "hit";
        } else if (outcome instanceof ProviderOutcome.Miss) {
            kind = "miss";
        } else {
            kind = "error";
            detail = ((ProviderOutcome.Failure) outcome).reason();
        }
        steps.add(new TraceStep(provider, capability.wire(), kind, latency, detail));
    }

    synchronized List<TraceStep> steps() {
        return List.copyOf(steps);
    }
}
