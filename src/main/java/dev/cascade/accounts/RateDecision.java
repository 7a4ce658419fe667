package dev.cascade.accounts;

/** The outcome of counting one request against its limits, with what the `RateLimit-*` headers say. */
public record RateDecision(boolean allowed, int limit, int remaining, int resetSeconds) {}
