package dev.cascade.events;

/** One provider step of a task's waterfall (§5.4). */
public record TraceStep(String provider, String capability, String outcome, long latencyMs, String detail) {}
