package dev.cascade.waterfall;

import java.util.ArrayList;
import java.util.List;

import io.opentelemetry.context.Context;

import dev.cascade.events.TraceStep;
import dev.cascade.telemetry.Tracing;
import dev.cascade.waterfall.providers.Capability;
import dev.cascade.waterfall.providers.GuardedProvider;
import dev.cascade.waterfall.providers.ProviderOutcome;

/** The provider steps of one task, in the order they finished (both waterfalls of `full` may interleave). */
final class Trace {
    private final List<TraceStep> steps = new ArrayList<>();
    /** With tracing on: the task's span, under which each step is also recorded as a span. */
    private final Tracing tracing;

    private final Context span;

    Trace() {
        this(null, null);
    }

    Trace(Tracing tracing, Context span) {
        this.tracing = tracing;
        this.span = span;
    }

    /**
     * A provider call: `hit`, `miss`, `error` or `skipped` (the guard let no call out), with the failure's reason or
     * the hit's detail if any.
     */
    synchronized void add(String provider, Capability capability, ProviderOutcome outcome, long startedNanos) {
        String detail = outcome instanceof ProviderOutcome.Failure failure
                ? failure.reason()
                : outcome instanceof ProviderOutcome.Hit hit ? hit.detail() : null;
        add(provider, capability, GuardedProvider.kind(outcome), startedNanos, detail);
    }

    synchronized void add(String provider, Capability capability, String outcome, long startedNanos, String detail) {
        long latency = (System.nanoTime() - startedNanos) / 1_000_000;
        steps.add(new TraceStep(provider, capability.wire(), outcome, latency, detail));
        if (span != null) {
            tracing.providerCall(span, provider, capability.wire(), outcome, startedNanos, detail);
        }
    }

    synchronized List<TraceStep> steps() {
        return List.copyOf(steps);
    }
}
